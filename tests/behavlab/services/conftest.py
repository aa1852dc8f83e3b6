"""A randomized 24-mouse study, weighed yesterday morning, for the services that need an allocation."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

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


@pytest.fixture
def randomized(workspace: Workspace, tmp_path: Path) -> RandomizedStudy:
    create_study(workspace, StudySettings(name="blind"))
    import_roster(workspace, "blind", write_roster(tmp_path / "roster.csv", 24, with_weights=False))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    weighed_at = datetime.combine(yesterday.date(), time(9, 0), yesterday.tzinfo)
    weights = baseline_weights(24)
    record_weights(workspace, "blind", write_weights(tmp_path / "weights.csv", weights, weighed_at))
    draft = draft_randomization(workspace, "blind", RandomizationOptions(seed=2024, bare_seed=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    return RandomizedStudy("blind", dict(committed.codes), dict(draft.allocation.assignment), weighed_at)
