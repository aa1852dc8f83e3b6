"""Scoring a study: results stored per session, files named by code, idempotent, never overwritten."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from behavlab.errors import ConflictError
from behavlab.services import (
    Workspace,
    add_fst_session,
    list_fst_sessions,
    record_dose,
    score_study,
    unmask_study,
)
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tracking.synth.truth import load_truth
from tracking.synth.videos import write_fst_video
from tracking.video.rois import save_rois


@pytest.fixture
def two_animals_in_one_video(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> tuple[RandomizedStudy, list[str], Path]:
    video = tmp_path / "M001-and-M002-day1.mp4"
    write_fst_video(
        video, duration_s=60.0, fps=15, size=(320, 160), n_tanks=2, seed=11, immobile_fraction=[0.6, 0.2]
    )
    truth = load_truth(video.with_name(video.stem + ".truth.json"))
    rois = save_rois(tmp_path / "rois.json", [tank.roi for tank in truth.tanks])
    codes = [randomized.code_in_arm(0), randomized.code_in_arm(1)]
    for code, tank in zip(codes, truth.tanks, strict=True):
        dosed = randomized.weighed_at + timedelta(minutes=5)
        record_dose(workspace, randomized.name, code, at=dosed)
        add_fst_session(
            workspace, randomized.name, code, video, tank.label, rois, tested_at=dosed + timedelta(hours=1)
        )
    return randomized, codes, video


def _scores(workspace: Workspace) -> list[tuple[int, str, float]]:
    with workspace.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT session_id, parameters_sha256, immobility_s FROM immobilityscore")
        )
        return [tuple(row) for row in rows]


def test_a_study_is_scored_once_per_parameter_set_and_files_carry_codes_only(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, codes, _ = two_animals_in_one_video
    window = {"window_start_s": 0.0, "window_end_s": 60.0, "test_duration_s": 60.0}
    first = score_study(workspace, study.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    assert (first.scored, first.already_scored, first.failures) == (2, 0, [])
    assert {v.code: v.scored_methods for v in list_fst_sessions(workspace, study.name)} == {
        code: ["motion"] for code in codes
    }
    stored = _scores(workspace)
    assert len(stored) == 2 and all(seconds is not None for _, _, seconds in stored)
    names = [path.name for path in (tmp_path / "scores").rglob("*") if path.is_file() or path.is_symlink()]
    assert names and all(name.startswith("-".join(sorted(codes))) or name.endswith(".csv") for name in names)
    assert not any("M001" in name or "day1" in name for name in names)

    again = score_study(workspace, study.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    assert (again.scored, again.already_scored) == (0, 2)
    assert len(_scores(workspace)) == 2

    stricter = score_study(workspace, study.name, jobs=1, overrides={**window, "min_bout_s": 2.0})
    assert stricter.scored == 2 and stricter.parameters_sha256 != first.parameters_sha256
    assert len(_scores(workspace)) == 4 and set(stored) <= set(_scores(workspace))


def test_a_changed_video_fails_that_session_alone(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, codes, video = two_animals_in_one_video
    with video.open("ab") as handle:
        handle.write(b"edited")
    result = score_study(workspace, study.name, jobs=1, out_dir=tmp_path / "scores")
    assert result.scored == 0
    assert sorted(code for code, _ in result.failures) == sorted(codes)
    assert all("changed since the session was recorded" in reason for _, reason in result.failures)


def test_an_unmasked_study_is_refused_before_any_video_is_decoded(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, _, _ = two_animals_in_one_video
    unmask_study(workspace, study.name, PASSPHRASE, force_reason="no scores yet")
    with pytest.raises(ConflictError, match="unmasked and locked; cannot score sessions"):
        score_study(workspace, study.name, jobs=1, out_dir=tmp_path / "late")
    assert not (tmp_path / "late").exists() and _scores(workspace) == []
