"""Each FST session's own test start: entered (and checked against the video), honoured by study scoring
with its source (entered, bench), detected otherwise, and shown with its source in the session list."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from behavlab.db.session import writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import FstSession, ImmobilityScore
from behavlab.services import (
    Workspace,
    add_fst_session,
    import_fst_sheet,
    list_events,
    list_fst_sessions,
    record_camera_started,
    record_mouse_mark,
    score_study,
    void_record,
)
from behavlab.services.display import fst_start_cell
from behavlab.services.fst_starts import SessionStart
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, with_lead_in, write_synth_pose
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video
from tracking.video.rois import save_rois

#: A 20-s window 5-25 s into a 25-s test, so the videos stay short.
WINDOW = {"window_start_s": 5.0, "window_end_s": 25.0, "test_duration_s": 25.0}


def _video(folder: Path, name: str, entries: tuple[float, float]) -> tuple[SynthTruth, Path]:
    """A 36-s two-tank video whose mice drop in at ``entries`` (99: never), and its ROI file."""
    truth = write_fst_video(
        folder / name, duration_s=36.0, fps=10.0, size=(320, 160), n_tanks=2, entry_s=entries, seed=6
    )
    return truth, save_rois(folder / f"{name}.rois.json", [tank.roi for tank in truth.tanks])


@pytest.fixture(scope="module")
def short_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    truth, rois = _video(tmp_path_factory.mktemp("starts"), "day1.mp4", (4.0, 8.0))
    return truth.video, rois


def _scores(workspace: Workspace) -> dict[int, ImmobilityScore]:
    with writing(workspace.engine) as db:
        return {score.session_id: score for score in db.exec(select(ImmobilityScore))}


def test_an_entered_start_is_stored_audited_and_listed(
    workspace: Workspace, randomized: RandomizedStudy, short_video: tuple[Path, Path]
) -> None:
    video, rois = short_video
    code = randomized.code_in_arm(0)
    view = add_fst_session(workspace, randomized.name, code, video, "tank1", rois, start_s=4.5)
    assert view.start == SessionStart(4.5, "entered")
    (listed,) = list_fst_sessions(workspace, randomized.name)
    assert fst_start_cell(listed.start) == "4.5 s entered"
    (added,) = [e for e in list_events(workspace, randomized.name) if e.action == "fst.add"]
    assert json.loads(added.payload)["start_s"] == 4.5


def test_a_start_past_the_video_end_is_refused_naming_the_video_and_its_length(
    workspace: Workspace, randomized: RandomizedStudy, short_video: tuple[Path, Path]
) -> None:
    video, rois = short_video
    code = randomized.code_in_arm(0)
    with pytest.raises(
        InvalidInputError, match=r"test start 40 s is not within video day1.mp4, which is 36.0 s"
    ):
        add_fst_session(workspace, randomized.name, code, video, "tank1", rois, start_s=40.0)
    with pytest.raises(InvalidInputError, match="accepted: seconds >= 0 of video time"):
        add_fst_session(workspace, randomized.name, code, video, "tank1", rois, start_s=-1.0)
    assert list_fst_sessions(workspace, randomized.name) == []


def test_a_day_sheet_enters_each_start_and_names_a_faulty_cell(
    workspace: Workspace, randomized: RandomizedStudy, short_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = short_video
    first, second = randomized.code_in_arm(0), randomized.code_in_arm(1)
    when = randomized.weighed_at.isoformat()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"code,video,roi,tested_at,start_s\n{first},{video},tank1,{when},soon\n")
    with pytest.raises(InvalidInputError, match=r"bad.csv.*row 2, start_s.*seconds >= 0 of video time"):
        import_fst_sheet(workspace, randomized.name, bad, rois)
    sheet = tmp_path / "fst.csv"
    sheet.write_text(
        f"code,video,roi,tested_at,start_s\n{first},{video},tank1,{when},4\n{second},{video},tank2,{when},\n"
    )
    views = import_fst_sheet(workspace, randomized.name, sheet, rois)
    assert [view.start for view in views] == [SessionStart(4.0, "entered"), None]


def test_study_scoring_counts_each_session_from_its_stored_start(
    workspace: Workspace, randomized: RandomizedStudy, short_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = short_video
    entered, bench = randomized.code_in_arm(0), randomized.code_in_arm(1)
    camera = randomized.weighed_at + timedelta(hours=2)
    record_camera_started(workspace, randomized.name, camera)
    record_mouse_mark(workspace, randomized.name, "mouse in", bench, "2", camera + timedelta(seconds=8))
    add_fst_session(workspace, randomized.name, entered, video, "tank1", rois, start_s=4.0)
    marked = add_fst_session(workspace, randomized.name, bench, video, "tank2", rois)
    assert marked.start == SessionStart(8.0, "bench")
    with writing(workspace.engine) as db:
        stored = db.get(FstSession, marked.id)
        assert stored is not None and stored.start_basis is not None
        assert stored.start_basis.startswith("mouse in at ") and "camera started mark" in stored.start_basis
    result = score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=tmp_path / "scores")
    assert (result.scored, result.failures) == (2, [])
    starts = {
        s.session_id: (s.test_start_s, s.start_source, s.window_start_s) for s in _scores(workspace).values()
    }
    assert sorted(starts.values()) == [(4.0, "entered", 9.0), (8.0, "bench", 13.0)]
    shown = {view.code: fst_start_cell(view.start) for view in list_fst_sessions(workspace, randomized.name)}
    assert shown == {entered: "4.0 s entered", bench: "8.0 s bench"}


def test_a_bench_mark_outside_the_video_is_left_to_detection_with_a_warning(
    workspace: Workspace, randomized: RandomizedStudy, short_video: tuple[Path, Path]
) -> None:
    video, rois = short_video
    code = randomized.code_in_arm(0)
    camera = randomized.weighed_at + timedelta(hours=2)
    record_camera_started(workspace, randomized.name, camera)
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", camera + timedelta(seconds=50))
    view = add_fst_session(workspace, randomized.name, code, video, "tank1", rois)
    assert view.start is None
    (warning,) = [text for text in view.warnings if text.startswith("bench mark not used")]
    assert warning.startswith("bench mark not used, the start will be detected: the 'mouse in' mark at ")
    assert "past the end of day1.mp4 (36.0 s)" in warning


def test_a_voided_session_is_recorded_again_and_a_voided_score_scored_again(
    workspace: Workspace, randomized: RandomizedStudy, short_video: tuple[Path, Path], tmp_path: Path
) -> None:
    video, rois = short_video
    wrong, right = randomized.code_in_arm(0), randomized.code_in_arm(1)
    first = add_fst_session(workspace, randomized.name, wrong, video, "tank1", rois, start_s=4.0)
    with pytest.raises(ConflictError, match="already recorded as FST session"):
        add_fst_session(workspace, randomized.name, right, video, "tank1", rois, start_s=4.0)
    void_record(workspace, randomized.name, "session", first.id, "tank 1 held the other mouse")
    again = add_fst_session(workspace, randomized.name, right, video, "tank1", rois, start_s=4.0)
    assert [view.code for view in list_fst_sessions(workspace, randomized.name)] == [right]
    folder = tmp_path / "scores"
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=folder).scored == 1
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=folder).scored == 0
    (score,) = [s for s in _scores(workspace).values() if s.session_id == again.id]
    void_record(workspace, randomized.name, "score", score.id or 0, "scored before the ROI was fixed")
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=folder).scored == 1


def test_without_a_stored_start_it_is_detected_and_a_tank_with_no_entry_fails_alone_by_code(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    truth, rois = _video(tmp_path, "L4-empty.mp4", (4.0, 99.0))
    swimmer, empty = randomized.code_in_arm(0), randomized.code_in_arm(1)
    add_fst_session(workspace, randomized.name, swimmer, truth.video, "tank1", rois)
    add_fst_session(workspace, randomized.name, empty, truth.video, "tank2", rois)
    result = score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=tmp_path / "scores")
    assert result.scored == 1
    ((code, reason),) = result.failures
    assert code == empty and f"no entry into the water detected in ROI {empty!r}" in reason
    (score,) = _scores(workspace).values()
    assert score.start_source == "detected" and score.test_start_s == pytest.approx(4.0, abs=0.5)
    assert score.start_confidence is not None and score.window_start_s == pytest.approx(
        score.test_start_s + 5
    )
    shown = {view.code: fst_start_cell(view.start) for view in list_fst_sessions(workspace, randomized.name)}
    assert shown[swimmer].startswith(f"{score.test_start_s:.1f} s detected (")
    assert shown[empty] == "-"


def _pose_video(folder: Path, name: str, entry_s: float, seed: int) -> Path:
    """A 36-s one-tank video with its DeepLabCut file beside it, the mouse tracked well from ``entry_s``."""
    video = folder / name
    write_fst_video(video, duration_s=36.0, fps=10.0, size=(320, 288), seed=seed)  # the poses lie in it
    synth = synth_pose_tracks(config=PoseSynthConfig(duration_s=36.0, fps=10.0), seed=seed)
    write_synth_pose(with_lead_in(synth, (entry_s,)), folder, video.stem)
    return video


def test_study_scoring_with_the_pose_method_detects_starts_and_honours_an_entered_one(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    detected_code, entered_code = randomized.code_in_arm(0), randomized.code_in_arm(1)
    detected = add_fst_session(
        workspace, randomized.name, detected_code, _pose_video(tmp_path, "c1.mp4", 6.0, 1)
    )
    entered = add_fst_session(
        workspace, randomized.name, entered_code, _pose_video(tmp_path, "c2.mp4", 6.0, 2), start_s=4.5
    )
    result = score_study(
        workspace,
        randomized.name,
        method="pose",
        jobs=1,
        overrides={**WINDOW, "px_per_cm": 10.0},
        out_dir=tmp_path / "scores",
    )
    assert (result.scored, result.failures) == (2, [])
    scores = _scores(workspace)
    found = scores[detected.id]
    assert found.method == "pose" and found.start_source == "detected"
    assert found.test_start_s == pytest.approx(6.0, abs=0.5) and found.start_confidence is not None
    assert found.window_start_s == pytest.approx(found.test_start_s + 5)
    kept = scores[entered.id]
    assert (kept.test_start_s, kept.start_source, kept.start_confidence, kept.window_start_s) == (
        4.5,
        "entered",
        None,
        9.5,
    )


def test_a_start_cell_names_its_source_and_a_detection_its_confidence() -> None:
    assert fst_start_cell(SessionStart(23.44, "detected", 0.971)) == "23.4 s detected (0.97)"
    assert fst_start_cell(SessionStart(0.0, "present at start", 0.94)) == "present at start (0.94)"
    assert fst_start_cell(SessionStart(31.0, "bench")) == "31.0 s bench"
    assert fst_start_cell(None) == "-"


def test_one_tank_filmed_for_animals_in_turn_holds_a_session_each_from_its_own_start(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    truth = write_fst_video(tmp_path / "turns.mp4", duration_s=400.0, fps=5.0, size=(160, 160), seed=8)
    rois = save_rois(tmp_path / "turns.rois.json", [tank.roi for tank in truth.tanks])
    first, second, third = sorted(randomized.codes.values())[:3]
    add_fst_session(workspace, randomized.name, first, truth.video, "tank1", rois, start_s=2.0)
    with pytest.raises(ConflictError, match=r"filmed again for another animal needs each animal's start"):
        add_fst_session(workspace, randomized.name, second, truth.video, "tank1", rois)
    with pytest.raises(ConflictError, match=r"360 s or more apart"):
        add_fst_session(workspace, randomized.name, second, truth.video, "tank1", rois, start_s=300.0)
    add_fst_session(workspace, randomized.name, second, truth.video, "tank1", rois, start_s=365.0)
    with pytest.raises(ConflictError, match="already recorded as FST session"):
        add_fst_session(workspace, randomized.name, third, truth.video, "tank1", rois, start_s=200.0)
    result = score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=tmp_path / "scores")
    assert (result.scored, result.failures) == (2, [])
    windows = sorted((s.test_start_s, s.start_source, s.window_start_s) for s in _scores(workspace).values())
    assert windows == [(2.0, "entered", 7.0), (365.0, "entered", 370.0)]
