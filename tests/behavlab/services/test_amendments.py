"""After unmasking the data are locked: a correction is an amendment with a reason, audited and reported."""

from datetime import timedelta
from pathlib import Path

import pytest

from behavlab.errors import ConflictError, InvalidInputError
from behavlab.services import (
    Workspace,
    add_fst_session,
    exclude_animal,
    list_events,
    record_dose,
    record_manual_score,
    unmask_study,
    verify_chain,
    write_study_report,
)
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tracking.synth.videos import write_fst_video


@pytest.fixture
def unmasked(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> str:
    """The study unmasked with one animal tested and scored by hand; returns that animal's code."""
    code = randomized.code_in_arm(0)
    video = write_fst_video(tmp_path / "fst.avi", duration_s=1.0, fps=10, size=(64, 48), seed=1).video
    dosed = randomized.weighed_at + timedelta(minutes=30)
    record_dose(workspace, randomized.name, code, at=dosed)
    add_fst_session(workspace, randomized.name, code, video, tested_at=dosed + timedelta(hours=1))
    record_manual_score(workspace, randomized.name, code, 152.0, "ana")
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="one animal tested")
    return code


def test_a_blind_study_refuses_an_amendment_reason(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(1)
    with pytest.raises(InvalidInputError, match="still blind"):
        record_manual_score(workspace, randomized.name, code, 100.0, "ana", amend_reason="typo")


def test_a_locked_study_takes_a_score_only_as_an_amendment(
    workspace: Workspace, randomized: RandomizedStudy, unmasked: str, tmp_path: Path
) -> None:
    with pytest.raises(ConflictError, match="except as an amendment: give --amend"):
        record_manual_score(workspace, randomized.name, unmasked, 125.0, "ana")
    record_manual_score(workspace, randomized.name, unmasked, 125.0, "ana", amend_reason="typed 152 for 125")
    exclude_animal(workspace, randomized.name, "M003", "found injured", criterion_set_a_priori=True)
    actions = [event.action for event in list_events(workspace, study_name=randomized.name)]
    assert actions.count("amendment.record") == 2
    assert verify_chain(workspace).ok
    report = write_study_report(workspace, randomized.name, tmp_path / "report").files.markdown.read_text()
    amendments = report.split("Amendments after unmasking", 1)[1]
    assert f"manual FST score of {unmasked} entered after unmasking: 125 s immobile" in amendments
    assert "typed 152 for 125" in amendments
    assert "animal M003 excluded after unmasking" in amendments and "found injured" in amendments
