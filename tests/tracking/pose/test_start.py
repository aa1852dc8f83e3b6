"""Each animal's test start from its pose tracks (tracking.pose.start), alone and through the pose batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.shared_data import SHARED_DATA
from tracking.batch.jobs import BatchSettings, resolve_request
from tracking.batch.run import run_batch
from tracking.batch.runners import LocalRunner
from tracking.batch.starts import StartRequest
from tracking.pose.batch import score_pose_job
from tracking.pose.clean import DEFAULT_MIN_LIKELIHOOD
from tracking.pose.io import read_dlc
from tracking.pose.speed import SIGNAL_PRESETS
from tracking.pose.start import detect_pose_start, detect_pose_starts, tracked_parts
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, with_lead_in, write_synth_pose
from tracking.pose.tracks import PoseFileError
from tracking.rules.presets import get_preset
from tracking.rules.starts import AnimalStart, StartSource, StartStatus

CONFIG = PoseSynthConfig(duration_s=150.0)
INDIVIDUALS = ("a", "b", "c", "d")
WINDOW = {"window_start_s": 0.0, "window_end_s": 40.0, "test_duration_s": 40.0}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_starts_after_a_low_likelihood_lead_in_are_found_within_half_a_second(seed: int) -> None:
    entries = (0.0, 5.0, 37.3, 95.0)
    synth = with_lead_in(
        synth_pose_tracks(config=CONFIG, individuals=INDIVIDUALS, seed=seed), entries, seed=seed
    )
    found = detect_pose_starts(synth.tracks, {i: i for i in INDIVIDUALS}, SIGNAL_PRESETS["fst"])
    assert found["a"].status is StartStatus.PRESENT_AT_START and found["a"].start_s == 0.0
    for individual, entry in zip(INDIVIDUALS[1:], entries[1:], strict=True):
        start = found[individual]
        assert start.status is StartStatus.ENTERED
        assert start.start_s is not None and abs(start.start_s - entry) <= 0.5, (individual, start.start_s)
        assert start.confidence is not None and 0.9 <= start.confidence <= 1.0
        assert start.params["min_likelihood"] == DEFAULT_MIN_LIKELIHOOD


def test_a_short_burst_of_confident_false_detections_is_not_a_start() -> None:
    fps = 30.0
    likelihood = np.full((900, 4), 0.2)
    likelihood[150:165] = 0.99
    likelihood[600:] = 0.99
    found = detect_pose_start(likelihood, fps, min_likelihood=DEFAULT_MIN_LIKELIHOOD)
    assert found.start_s == pytest.approx(20.0)
    assert found.confidence == pytest.approx(1.0 - 15 / 600)


def test_tracked_from_the_first_frame_is_present_at_start() -> None:
    found = detect_pose_start(np.full((300, 3), 0.97), 30.0, min_likelihood=DEFAULT_MIN_LIKELIHOOD)
    assert (found.status, found.start_s, found.start_frame, found.confidence) == (
        StartStatus.PRESENT_AT_START,
        0.0,
        0,
        1.0,
    )


def test_an_animal_never_tracked_fails_alone_with_the_reason(tmp_path: Path) -> None:
    synth = with_lead_in(synth_pose_tracks(config=CONFIG, individuals=("a", "b"), seed=4), (12.0, 150.0))
    pose = write_synth_pose(synth, tmp_path, "T1")
    score = score_pose_job(pose, get_preset("fst", "pose", **WINDOW), {"fps": CONFIG.fps}, detect_start=True)
    assert [result.animal for result in score.animals] == ["a"]
    result = score.animal("a")
    assert result.start.source is StartSource.DETECTED and abs(result.start.start_s - 12.0) <= 0.5
    assert result.window_end_s == pytest.approx(result.start.start_s + 40.0)
    assert set(score.failed) == {"b"}
    assert score.failed["b"].startswith(
        "animal 'b' is never tracked for 1 s (all body parts at likelihood >= 0.9)"
    )
    with pytest.raises(ValueError, match="not both"):
        score_pose_job(pose, get_preset("fst", "pose"), {"fps": CONFIG.fps}, start_s=3.0, detect_start=True)


def test_entered_starts_are_kept_and_the_other_animals_detected_one_never_tracked_failing_alone(
    tmp_path: Path,
) -> None:
    synth = with_lead_in(
        synth_pose_tracks(config=CONFIG, individuals=("a", "b", "c"), seed=6), (12.0, 20.0, 150.0)
    )
    pose = write_synth_pose(synth, tmp_path, "T3")
    params = get_preset("fst", "pose", **WINDOW)
    score = score_pose_job(pose, params, {"fps": CONFIG.fps}, start_s={"a": 3.0}, detect_start=True)
    assert [result.animal for result in score.animals] == ["a", "b"]
    assert score.animal("a").start == AnimalStart(3.0, StartSource.ENTERED)
    detected = score.animal("b").start
    assert detected.source is StartSource.DETECTED and abs(detected.start_s - 20.0) <= 0.5
    assert list(score.failed) == ["c"] and score.failed["c"].startswith("animal 'c' is never tracked")
    entered_all = score_pose_job(
        pose, params, {"fps": CONFIG.fps}, start_s={"a": 3.0, "b": 4.0, "c": 5.0}, detect_start=True
    )
    assert not entered_all.failed
    assert [result.start.start_s for result in entered_all.animals] == [3.0, 4.0, 5.0]
    alone = with_lead_in(synth_pose_tracks(config=CONFIG, individuals=("c",), seed=6), (150.0,))
    empty = write_synth_pose(alone, tmp_path, "T4")
    with pytest.raises(PoseFileError, match=r"T4.*: animal 'animal' is never tracked for 1 s"):
        score_pose_job(empty, params, {"fps": CONFIG.fps}, detect_start=True)


def test_the_pose_batch_detects_starts_when_asked(tmp_path: Path) -> None:
    synth = with_lead_in(synth_pose_tracks(config=CONFIG, seed=5), (21.0,))
    pose = write_synth_pose(synth, tmp_path / "in", "T2")
    params, options = resolve_request("pose", "fst", {**WINDOW, "fps": CONFIG.fps})
    settings = BatchSettings(tmp_path / "out", params, options, starts=StartRequest(detect=True))
    report = run_batch([pose], settings, method="pose", runner=LocalRunner(1))
    assert not report.failed
    document = report.outcomes[0].document
    assert document is not None
    start = document["starts"]["animal"]
    assert start["source"] == "detected" and abs(start["start_s"] - 21.0) <= 0.5 and start["confidence"] > 0.9


def test_real_tracks_are_present_at_start_or_never_tracked() -> None:
    """BehaviorDEPOT's demo mouse is tracked from frame 0; a 10-epoch DLC 3 network never tracks its mouse."""
    demo = read_dlc(SHARED_DATA / "behaviordepot_demo2" / "demo2_tracking.csv", fps=30.0)
    assert tracked_parts(demo.likelihood[:, 0], DEFAULT_MIN_LIKELIHOOD).mean() > 0.85
    found = detect_pose_start(demo.likelihood[:, 0], 30.0, min_likelihood=DEFAULT_MIN_LIKELIHOOD)
    assert found.status is StartStatus.PRESENT_AT_START and found.confidence == 1.0
    poor = read_dlc(next((SHARED_DATA / "dlc3_sample").glob("mouse1DLC*.h5")), fps=30.0)
    found = detect_pose_start(poor.likelihood[:, 0], 30.0, min_likelihood=DEFAULT_MIN_LIKELIHOOD)
    assert found.status is StartStatus.NO_ENTRY and found.start_s is None
