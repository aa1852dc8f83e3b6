"""Calibration for real labs: recordings at several frame rates and pixel scales, one or two recordings."""

from __future__ import annotations

import numpy as np
import pytest

from tracking.evaluation.calibration import CalibrationVideo, calibrate
from tracking.evaluation.comparison import calibration_inputs
from tracking.evaluation.labels import LabelFileError
from tracking.evaluation.scorings import Scoring
from tracking.evaluation.timebase import to_time_base
from tracking.pose import PoseSignalParams, pose_signals
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks
from tracking.rules.presets import get_preset

WHOLE_RECORDING = {"window_start_s": 0.0, "window_end_s": None, "test_duration_s": None}


def _pose_video(name: str, seed: int, fps: float, px_per_cm: float, duration_s: float) -> CalibrationVideo:
    """A synthetic recording filmed at ``fps`` and ``px_per_cm``, scored in cm/s with its own pixel scale."""
    config = PoseSynthConfig(duration_s=duration_s, fps=fps, px_per_cm=px_per_cm)
    synth = synth_pose_tracks(seed=seed, config=config)
    [signal] = pose_signals(synth.tracks, PoseSignalParams(px_per_cm=px_per_cm))
    return CalibrationVideo(name, signal.signal, signal.fps, labels=synth.truth("animal"))


def _assert_contiguous_blocks(
    folds: object, video: CalibrationVideo, n_blocks: int, duration_s: float, grid_fps: float
) -> None:
    """Each block holds out the frames of its own stretch of time: contiguous, covering, not interleaved.

    The human-immobile frames a block counts (on the ``grid_fps`` time base) must be those its time range
    holds in the video's own labels, less at most the frames left out near transitions: interleaved or
    shuffled folds would each count about a share of the whole recording's instead.
    """
    rows = folds[folds["video"] == video.name].sort_values("block")  # type: ignore[index]
    assert rows["block"].tolist() == list(range(1, n_blocks + 1))
    edges = np.linspace(0.0, duration_s, n_blocks + 1)
    assert np.allclose(rows["start_s"], edges[:-1]) and np.allclose(rows["end_s"], edges[1:])
    assert np.allclose(rows["n_frames"] + rows["n_ignored"], grid_fps * duration_s / n_blocks)
    labels, times = np.asarray(video.labels), np.arange(np.asarray(video.labels).size) / video.fps
    for row in rows.to_dict("records"):
        held = labels[(times >= row["start_s"]) & (times < row["end_s"])].sum() / video.fps
        counted = (row["true_positive"] + row["false_negative"]) / grid_fps
        assert held - row["n_ignored"] / grid_fps - 0.2 <= counted <= held + 0.2


def test_recordings_at_25_and_50_fps_with_different_pixel_scales_pool_on_one_time_base() -> None:
    videos = [
        _pose_video("cam25", 61, fps=25.0, px_per_cm=8.0, duration_s=150.0),
        _pose_video("cam50", 62, fps=50.0, px_per_cm=21.0, duration_s=150.0),
    ]
    base = get_preset("fst", "pose", **WHOLE_RECORDING)
    result = calibrate(videos, base, name="two_rigs", min_bouts=(0.5, 1.0), tolerance_s=0.5)
    assert result.fit["time_base"]["fps"] == 25.0
    assert result.fit["time_base"]["video_fps"] == {"cam25": 25.0, "cam50": 50.0}
    assert 1.0 < result.params.threshold < 6.0  # cm/s, whatever the camera
    assert result.pooled is not None and result.pooled.accuracy > 0.95 and result.pooled.kappa > 0.9
    frames = result.pooled.n_frames + result.pooled.n_ignored
    assert frames == 2 * 150 * 25  # both on the 25 fps grid: each weighs by its 150 s, not its frames
    assert result.fit["cross_validation"]["scheme"] == "time-blocked (5 contiguous blocks per video)"
    assert len(result.folds) == 10 and (result.folds["accuracy"] > 0.85).all()
    for video in videos:
        _assert_contiguous_blocks(result.folds, video, 5, 150.0, grid_fps=25.0)
    low, high = result.pooled.kappa_ci  # type: ignore[misc]
    assert low <= result.pooled.kappa <= high and "time blocks" in result.pooled.ci_method


def test_one_recording_calibrates_on_contiguous_time_blocks() -> None:
    video = _pose_video("only", 63, fps=30.0, px_per_cm=10.0, duration_s=200.0)
    base = get_preset("fst", "pose", **WHOLE_RECORDING)
    result = calibrate([video], base, name="one_rig", min_bouts=(0.5, 1.0), n_blocks=4)
    assert len(result.folds) == 4
    _assert_contiguous_blocks(result.folds, video, 4, 200.0, grid_fps=30.0)
    assert result.fit["cross_validation"]["block_s"] == {"only": pytest.approx(50.0)}
    assert result.pooled is not None and result.pooled.accuracy > 0.95
    assert result.pooled.n_frames == 200 * 30
    assert 1.0 < result.params.threshold < 6.0
    assert not result.seconds.enough_videos and result.to_dict()["cross_validated"]["seconds"] is None
    assert "Pearson" not in result.params.source and "time-blocked" in result.params.source


def test_two_videos_give_no_per_video_statistics_and_three_leave_one_out() -> None:
    base = get_preset("fst", "pose", **WHOLE_RECORDING)
    videos = [_pose_video(f"m{seed}", seed, 30.0, 10.0, 90.0) for seed in (71, 72, 73)]
    two = calibrate(videos[:2], base, name="two", min_bouts=None)
    assert two.seconds.n == 2 and not two.seconds.enough_videos
    assert "Pearson" not in two.params.source
    three = calibrate(videos, base, name="three", min_bouts=None)
    assert three.fit["cross_validation"]["scheme"] == "leave-one-video-out" and len(three.folds) == 3
    assert three.seconds.enough_videos and "Pearson r" in three.params.source
    assert three.pooled is not None and three.pooled.ci_method == "bootstrap over 3 videos"


def test_time_base_means_the_signal_and_takes_the_majority_label() -> None:
    times = np.arange(6) / 50.0
    signal = np.array([1.0, 3.0, np.nan, 4.0, 2.0, 2.0])
    labels = np.array([True, False, False, False, True, True])
    values, grid, merged = to_time_base(signal, times, 50.0, labels, 25.0)
    assert values.tolist() == [2.0, 4.0, 2.0]  # NaN ignored
    assert grid.tolist() == pytest.approx([0.0, 0.04, 0.08])
    assert merged is not None and merged.tolist() == [True, False, True]  # a tie goes to the first frame
    with pytest.raises(ValueError, match="cannot be finer"):
        to_time_base(signal, times, 50.0, labels, 60.0)


def test_a_single_recording_scored_in_seconds_only_is_refused() -> None:
    video = CalibrationVideo("m", np.linspace(0.1, 5.0, 300), 30.0, human_s=4.0)
    with pytest.raises(ValueError, match="one video scored in seconds only cannot be cross-validated"):
        calibrate([video], get_preset("fst", "pose"), name="x")


def test_calibration_inputs_pool_frame_rates_and_pixel_scales_but_not_pixel_units() -> None:
    params = get_preset("fst", "pose")
    options = {"kind": "relative", "smooth": "savgol"}

    def signal(video: str, fps: float, px_per_cm: float, units: str = "cm/s") -> Scoring:
        times = np.arange(200) / fps
        return Scoring(
            video,
            "animal",
            f"{video}.json",
            frames=np.zeros(200, dtype=bool),
            timestamps=times,
            fps=fps,
            signal=np.linspace(0.1, 5.0, 200),
            method="pose",
            params=params,
            signal_options={**options, "fps": fps, "px_per_cm": px_per_cm},
            units=units,
        )

    labels = [Scoring(v, "", f"{v}.csv", frames=np.zeros(200, dtype=bool)) for v in ("a", "b")]
    inputs = calibration_inputs(labels, [signal("a", 25.0, 8.0), signal("b", 50.0, 21.0)])
    assert [v.fps for v in inputs.videos] == [25.0, 50.0]
    with pytest.raises(LabelFileError, match=r"b\.json: b/animal: the pose signal is in px/s; score it with"):
        calibration_inputs(labels, [signal("a", 25.0, 8.0), signal("b", 50.0, 21.0, units="px/s")])
