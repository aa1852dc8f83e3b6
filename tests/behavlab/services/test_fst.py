"""FST sessions: tied to codes and videos (by hash and ROI), with stored warnings; manual scores."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.services import (
    Workspace,
    add_fst_session,
    animal_timeline,
    import_fst_sheet,
    list_events,
    list_fst_sessions,
    record_dose,
    record_manual_score,
)
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video
from tracking.video.rois import CircleROI, save_rois


@pytest.fixture(scope="module")
def two_tank_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fst")
    video = folder / "day1.mp4"
    write_fst_video(video, duration_s=2.0, fps=10, size=(160, 80), n_tanks=2, seed=3)
    rois = save_rois(folder / "rois.json", [CircleROI("tank1", 40, 40, 35), CircleROI("tank2", 120, 40, 35)])
    return video, rois


def test_sessions_record_hash_roi_timing_and_warnings(
    workspace: Workspace, randomized: RandomizedStudy, two_tank_video: tuple[Path, Path]
) -> None:
    video, rois = two_tank_video
    first, second = randomized.code_in_arm(0), randomized.code_in_arm(1)
    dosed_at = randomized.weighed_at + timedelta(minutes=30)
    record_dose(workspace, randomized.name, first, at=dosed_at)
    view = add_fst_session(
        workspace,
        randomized.name,
        first,
        video,
        "tank1",
        rois,
        water_temp_c=24.0,
        tested_at=dosed_at + timedelta(hours=2),
    )
    assert (view.code, view.roi_label, view.video) == (first, "tank1", "day1.mp4")
    assert view.hours_post_dose == pytest.approx(2.0)
    assert view.warnings == ["tested 2.0 h after the dose; the study plans 24 h"]
    cold = add_fst_session(workspace, randomized.name, second, video, "tank2", rois, water_temp_c=19.5)
    assert "water 19.5 C is outside 23-25 C" in cold.warnings
    assert "no dose recorded before this test" in cold.warnings
    with pytest.raises(ConflictError, match="tank1 is already recorded"):
        add_fst_session(workspace, randomized.name, second, video, "tank1", rois)
    with pytest.raises(InvalidInputError, match="accepted: tank1, tank2"):
        add_fst_session(workspace, randomized.name, second, video, "tank9", rois)
    assert [v.code for v in list_fst_sessions(workspace, randomized.name)] == [first, second]


def test_a_day_sheet_is_all_or_nothing(
    workspace: Workspace, randomized: RandomizedStudy, two_tank_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = two_tank_video
    codes = sorted(randomized.codes.values())
    sheet = tmp_path / "fst.csv"
    when = randomized.weighed_at.isoformat()
    sheet.write_text(
        f"code,video,roi,tested_at,water_temp_c\n{codes[0]},{video},tank1,{when},24\n"
        f"{codes[1]},{video},tank2,{when},24.5\n"
    )
    assert len(import_fst_sheet(workspace, randomized.name, sheet, rois)) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(f"code,video,roi,tested_at\n{codes[2]},{video},tank1,{when}\nNOPE,gone.mp4,tank2,{when}\n")
    with pytest.raises(InvalidInputError, match=r"row 3, code.*\n.*row 3, video"):
        import_fst_sheet(workspace, randomized.name, bad, rois)
    assert len(list_fst_sessions(workspace, randomized.name)) == 2


def test_a_sheet_row_without_an_roi_says_so_and_names_the_rois_accepted(
    workspace: Workspace, randomized: RandomizedStudy, two_tank_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = two_tank_video
    code = sorted(randomized.codes.values())[0]
    sheet = tmp_path / "day1.csv"
    sheet.write_text(f"code,video,tested_at\n{code},{video},{randomized.weighed_at.isoformat()}\n")
    with pytest.raises(InvalidInputError) as refused:
        import_fst_sheet(workspace, randomized.name, sheet, rois)
    assert str(refused.value) == (
        "day1.csv, row 2 has no ROI (no roi column or cell) and day1.mp4 has 2 ROIs in rois.json; "
        "accepted: tank1, tank2"
    )
    assert "None" not in str(refused.value)
    with pytest.raises(
        InvalidInputError, match=r"^day1.mp4 needs an ROI: it has 2 ROIs in rois.json; accepted"
    ):
        add_fst_session(workspace, randomized.name, code, video, None, rois)
    assert list_fst_sessions(workspace, randomized.name) == []


def test_manual_scores_need_a_session_and_a_plausible_value(
    workspace: Workspace, randomized: RandomizedStudy, two_tank_video: tuple[Path, Path]
) -> None:
    video, rois = two_tank_video
    code = randomized.code_in_arm(1)
    with pytest.raises(NotFoundError, match="has no FST session"):
        record_manual_score(workspace, randomized.name, code, 100.0, "ana")
    add_fst_session(workspace, randomized.name, code, video, "tank1", rois)
    score = record_manual_score(workspace, randomized.name, code, 132.5, "ana", latency_s=48.0)
    assert (score.method, score.immobility_s, score.scorer) == ("manual", 132.5, "ana")
    assert json.loads(score.parameters)["window_s"] == [120.0, 360.0]
    with pytest.raises(InvalidInputError, match="accepted: 0 to 240"):
        record_manual_score(workspace, randomized.name, code, 300.0, "ana")
    kinds = [entry.kind for entry in animal_timeline(workspace, randomized.name, code).entries]
    assert kinds[0] == "weight" and "fst" in kinds and kinds[-1] == "score"


def _sampling_sheet(path: Path, letters: str) -> Path:
    rows = "".join(f"{index},{letter}\n" for index, letter in enumerate(letters, start=1))
    path.write_text("bin,behavior\n" + rows)
    return path


def test_a_time_sampling_sheet_is_stored_as_a_manual_score_with_its_counts(
    workspace: Workspace, randomized: RandomizedStudy, two_tank_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = two_tank_video
    code = randomized.code_in_arm(0)
    add_fst_session(workspace, randomized.name, code, video, "tank1", rois)
    letters = "S" * 12 + "C" * 6 + "I" * 30
    sheet = _sampling_sheet(tmp_path / "sampling.csv", letters)
    score = record_manual_score(workspace, randomized.name, code, None, "ana", sheet=sheet)
    assert (score.method, score.immobility_s, score.scorer) == ("manual", 150.0, "ana")
    assert json.loads(score.time_sampling) == {"immobile": 30, "swimming": 12, "climbing": 6}
    assert json.loads(score.parameters)["time_sampling"]["sheet"] == "sampling.csv"
    (event,) = [e for e in list_events(workspace, randomized.name) if e.action == "fst.manual_score"]
    assert json.loads(event.payload)["bins"] == letters


def test_a_faulty_or_doubled_manual_score_is_refused_and_nothing_stored(
    workspace: Workspace, randomized: RandomizedStudy, two_tank_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = two_tank_video
    code = randomized.code_in_arm(1)
    add_fst_session(workspace, randomized.name, code, video, "tank2", rois)
    short = _sampling_sheet(tmp_path / "short.csv", "I" * 40 + "X")
    with pytest.raises(InvalidInputError, match=r"short.csv refused.*\(2 problems\)") as caught:
        record_manual_score(workspace, randomized.name, code, None, "ana", sheet=short)
    assert "row 42, behavior: 'X'" in str(caught.value) and "(7 of 48 bins)" in str(caught.value)
    full = _sampling_sheet(tmp_path / "full.csv", "I" * 48)
    with pytest.raises(InvalidInputError, match="not both"):
        record_manual_score(workspace, randomized.name, code, 100.0, "ana", sheet=full)
    with pytest.raises(InvalidInputError, match="give --immobility-s"):
        record_manual_score(workspace, randomized.name, code, None, "ana")
    assert list_fst_sessions(workspace, randomized.name)[0].scored_methods == []
