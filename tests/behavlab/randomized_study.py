"""The randomized 24-mouse study many application tests start from, and the passphrase that seals it."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    record_weights,
)
from cohorts.key_derivation import Argon2idParams
from tests.behavlab.factories import baseline_weights, write_roster, write_weights

FAST_KDF = Argon2idParams.fast_for_tests()
PASSPHRASE = "tundra lantern quiver mosaic"


@dataclass(frozen=True)
class RandomizedStudy:
    """The study's name, each animal's code and arm index, and the morning it was weighed."""

    name: str
    codes: dict[str, str]
    arms: dict[str, int]
    weighed_at: datetime

    def code_in_arm(self, arm: int) -> str:
        """Some animal's code in the given arm."""
        return next(code for label, code in sorted(self.codes.items()) if self.arms[label] == arm)


def randomize_study(workspace: Workspace, folder: Path, name: str = "blind") -> RandomizedStudy:
    """Create a study of 24 mice weighed yesterday at 9:00 and commit its allocation (seed 2024, bare)."""
    create_study(workspace, StudySettings(name=name))
    import_roster(workspace, name, write_roster(folder / "roster.csv", 24, with_weights=False))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    weighed_at = datetime.combine(yesterday.date(), time(9, 0), yesterday.tzinfo)
    record_weights(workspace, name, write_weights(folder / "weights.csv", baseline_weights(24), weighed_at))
    draft = draft_randomization(workspace, name, RandomizationOptions(seed=2024, bare_seed=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    return RandomizedStudy(name, dict(committed.codes), dict(draft.allocation.assignment), weighed_at)
