"""Tests of calibration against human scores (tracking.evaluation.calibration)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracking.evaluation.calibration import CalibrationVideo, calibrate, threshold_grid
from tracking.pose import PoseSignalParams, pose_signals
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks
from tracking.rules.immobility import classify_frames
from tracking.rules.presets import get_preset, load_preset, save_preset

FPS = 30.0
TRUE_THRESHOLD = 0.02


def _rater_videos(n_videos: int, duration_s: float = 240.0) -> list[CalibrationVideo]:
    """Smooth log-normal signals labelled by a rater who applies the rule (known threshold, 1-s bout)."""
    rng = np.random.default_rng(7)
    videos = []
    for k in range(n_videos):
        noise = rng.normal(np.log(TRUE_THRESHOLD), 1.0, round(duration_s * FPS))
        signal = np.exp(np.convolve(noise, np.ones(15) / 15, mode="same"))
        labels = classify_frames(signal, fps=FPS, threshold=TRUE_THRESHOLD, min_bout_s=1.0).immobile
        videos.append(CalibrationVideo(f"v{k}", signal, FPS, labels=labels))
    return videos


def test_calibration_recovers_a_known_threshold_and_min_bout(tmp_path: Path) -> None:
    base = get_preset("fst", "motion", window_start_s=0.0, window_end_s=None, test_duration_s=None)
    result = calibrate(_rater_videos(4), base, name="lab_fst")
    assert result.params.threshold == pytest.approx(TRUE_THRESHOLD, rel=0.05)  # grid step is 3.3%
    assert result.params.min_bout_s == 1.0 and result.params.method == "motion"
    assert len(result.folds) == 4 and set(result.folds["video"]) == {"v0", "v1", "v2", "v3"}
    assert result.folds["threshold"].to_numpy() == pytest.approx(TRUE_THRESHOLD, rel=0.05)
    assert result.pooled is not None and result.pooled.kappa > 0.95
    assert result.seconds.n == 4 and result.seconds.pearson_r > 0.95 and abs(result.seconds.bias) < 3.0
    assert "leave-one-video-out kappa" in result.params.source
    saved = save_preset(result.params, tmp_path)
    assert load_preset(saved) == result.params
    assert get_preset("lab_fst", "motion", directory=tmp_path).threshold == result.params.threshold
    assert result.to_dict()["cross_validated"]["frames"]["n_frames"] == 4 * 240 * 30


def test_calibration_from_seconds_only() -> None:
    base = get_preset("fst", "motion", window_start_s=0.0, window_end_s=None, test_duration_s=None)
    videos = [
        CalibrationVideo(v.name, v.signal, v.fps, human_s=float(v.labels.sum() / FPS))  # type: ignore[union-attr]
        for v in _rater_videos(3)
    ]
    result = calibrate(videos, base, name="lab_seconds", min_bouts=None)
    assert result.fit["objective"] == "seconds" and result.pooled is None
    assert result.params.threshold == pytest.approx(TRUE_THRESHOLD, rel=0.15)
    assert abs(result.seconds.bias) < 5.0


def test_pose_calibration_on_synthetic_tracks_reports_cross_validated_agreement() -> None:
    base = get_preset("fst", "pose")
    videos = []
    for seed in (51, 52, 53):
        synth = synth_pose_tracks(seed=seed, config=PoseSynthConfig(duration_s=180.0))
        [signal] = pose_signals(synth.tracks, PoseSignalParams(px_per_cm=10.0))
        videos.append(CalibrationVideo(f"m{seed}", signal.signal, signal.fps, labels=synth.truth("animal")))
    result = calibrate(videos, base, name="fst_pose_lab", min_bouts=(0.5, 1.0, 1.5), tolerance_s=0.5)
    assert result.params.method == "pose" and 1.0 < result.params.threshold < 6.0  # cm/s
    assert result.pooled is not None and result.pooled.n_ignored > 0
    assert result.pooled.accuracy > 0.97 and result.pooled.kappa > 0.94
    assert (result.folds["accuracy"] > 0.95).all()


def test_calibration_input_errors() -> None:
    videos = _rater_videos(2, duration_s=20.0)
    base = get_preset("fst", "motion")
    with pytest.raises(ValueError, match="at least one human-scored video"):
        calibrate([], base, name="x")
    with pytest.raises(ValueError, match="at least two blocks"):
        calibrate(videos[:1], base, name="x", n_blocks=1)
    with pytest.raises(ValueError, match="names must be unique"):
        calibrate([videos[0], videos[0]], base, name="x")
    with pytest.raises(ValueError, match="give per-frame labels or human_s"):
        CalibrationVideo("v", videos[0].signal, FPS)
    with pytest.raises(ValueError, match="10 labelled frames for a signal of 600 frames"):
        CalibrationVideo("v", videos[0].signal, FPS, labels=np.zeros(10, dtype=bool))
    with pytest.raises(ValueError, match="fewer than two distinct positive values"):
        threshold_grid([np.zeros(10)])
