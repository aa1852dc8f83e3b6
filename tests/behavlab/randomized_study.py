"""The randomized 24-mouse study many application tests start from, the passphrase that seals it, and two of
its animals filmed together for the scoring tests."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    record_dose,
    record_weights,
)
from cohorts.key_derivation import Argon2idParams
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tracking.synth.truth import load_truth
from tracking.synth.videos import write_fst_video
from tracking.video.rois import save_rois

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


def randomize_study(
    workspace: Workspace, folder: Path, name: str = "blind", settings: StudySettings | None = None
) -> RandomizedStudy:
    """Create a study of 24 mice weighed yesterday at 9:00 and commit its allocation (seed 2024, bare).

    `settings` replace the defaults (their name is the study's).
    """
    settings = settings or StudySettings(name=name)
    name = settings.name
    create_study(workspace, settings)
    import_roster(workspace, name, write_roster(folder / "roster.csv", 24, with_weights=False))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    weighed_at = datetime.combine(yesterday.date(), time(9, 0), yesterday.tzinfo)
    record_weights(workspace, name, write_weights(folder / "weights.csv", baseline_weights(24), weighed_at))
    draft = draft_randomization(
        workspace, name, RandomizationOptions(seed=2024, bare_seed=True, no_protocol=True)
    )
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    return RandomizedStudy(name, dict(committed.codes), dict(draft.allocation.assignment), weighed_at)


def two_animals_in_one_video(
    workspace: Workspace, study: RandomizedStudy, folder: Path
) -> tuple[list[str], Path]:
    """One animal of each arm, dosed 5 min after weighing and tested an hour later in one 60-s two-tank video.

    Returns their codes (arm 0, arm 1) and the video, named after their lab IDs and the day.
    """
    video = folder / "M001-and-M002-day1.mp4"
    write_fst_video(
        video, duration_s=60.0, fps=15, size=(320, 160), n_tanks=2, seed=11, immobile_fraction=[0.6, 0.2]
    )
    truth = load_truth(video.with_name(video.stem + ".truth.json"))
    rois = save_rois(folder / "rois.json", [tank.roi for tank in truth.tanks])
    codes = [study.code_in_arm(0), study.code_in_arm(1)]
    dosed = study.weighed_at + timedelta(minutes=5)
    for code, tank in zip(codes, truth.tanks, strict=True):
        record_dose(workspace, study.name, code, at=dosed)
        add_fst_session(
            workspace, study.name, code, video, tank.label, rois, tested_at=dosed + timedelta(hours=1)
        )
    return codes, video
