"""Tests of cleaning pose tracks and of the pose signal (tracking.pose.clean, tracking.pose.speed)."""

from __future__ import annotations

import numpy as np
import pytest

from tracking.pose import (
    PoseFileError,
    PoseSignalParams,
    PoseTracks,
    filter_likelihood,
    find_gaps,
    interpolate_gaps,
    pose_signals,
    score_pose_tracks,
    smooth_tracks,
)
from tracking.pose.speed import movement_signal, pixel_scale, point_velocities
from tracking.rules.presets import get_preset

FPS = 10.0


def _line(values: list[float], likelihood: list[float] | None = None) -> PoseTracks:
    """One individual, one body part moving along x."""
    x = np.asarray(values, dtype=np.float64)[:, None, None]
    like = np.ones_like(x) if likelihood is None else np.asarray(likelihood, dtype=np.float64)[:, None, None]
    return PoseTracks(x, np.zeros_like(x), like, ("nose",), ("animal",), FPS, "test.h5", "DLC_test")


def test_likelihood_filter_drops_low_and_nan_likelihoods_and_records_it() -> None:
    tracks = filter_likelihood(_line([1, 2, 3, 4], [0.95, 0.5, np.nan, 0.9]), 0.9)
    np.testing.assert_array_equal(np.isnan(tracks.x[:, 0, 0]), [False, True, True, False])
    assert tracks.history == ({"step": "filter_likelihood", "min_likelihood": 0.9, "dropped_fraction": 0.5},)


def test_interpolation_fills_short_inner_gaps_only_and_reports_the_rest() -> None:
    nan = np.nan
    tracks = _line([nan, 0, nan, nan, 3, nan, nan, nan, nan, nan, nan, 10, nan])
    filled = interpolate_gaps(tracks, max_gap_s=0.3)  # 3 frames at 10 fps
    np.testing.assert_allclose(filled.x[:5, 0, 0], [nan, 0, 1, 2, 3])
    assert np.isnan(filled.x[5:11, 0, 0]).all() and np.isnan(filled.x[12, 0, 0])
    gaps = find_gaps(filled, 0.3)
    assert gaps[["start_frame", "stop_frame"]].values.tolist() == [[5, 11]]
    assert gaps["duration_s"].tolist() == pytest.approx([0.6])
    assert len(find_gaps(filled)) == 3  # with the one-sided gaps at both ends
    assert filled.history[-1]["max_gap_frames"] == 3


def test_savgol_keeps_a_straight_line_and_removes_alternating_jitter() -> None:
    ramp = _line(list(np.arange(30.0)))
    np.testing.assert_allclose(smooth_tracks(ramp, 0.5).x, ramp.x, atol=1e-9)
    jitter = _line([(-1.0) ** i for i in range(30)])
    smoothed = smooth_tracks(jitter, 0.5)  # 5-point quadratic: weights (-3, 12, 17, 12, -3) / 35
    np.testing.assert_allclose(np.abs(smoothed.x[2:-2]), 13 / 35)
    assert smoothed.history[-1] == {
        "step": "smooth",
        "method": "savgol",
        "window_s": 0.5,
        "window_frames": 5,
        "polyorder": 2,
    }
    median = smooth_tracks(_line([0, 0, 9, 0, 0, 0]), 0.3, method="median")
    np.testing.assert_allclose(median.x[:, 0, 0], [0, 0, 0, 0, 0, 0])


def test_pixel_scale_from_tank_diameter() -> None:
    assert pixel_scale(px_per_cm=12.5) == 12.5
    assert pixel_scale(tank_diameter_px=400, tank_diameter_cm=20) == 20.0
    assert pixel_scale() is None
    with pytest.raises(ValueError, match="not both"):
        pixel_scale(px_per_cm=1, tank_diameter_px=2)


def test_speed_of_a_constant_velocity_in_cm_per_s() -> None:
    tracks = _line(list(np.arange(10) * 3.0))  # 3 px/frame at 10 fps = 30 px/s
    vx, vy = point_velocities(tracks, scale=15.0)  # 15 px/cm -> 2 cm/s
    np.testing.assert_allclose(vx, 2.0)
    np.testing.assert_allclose(vy, 0.0)


def _rigid(n: int, parts: int, velocity: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    vx = np.full((n, parts), velocity[0])
    vy = np.full((n, parts), velocity[1])
    return vx, vy


def test_relative_motion_is_zero_for_rigid_drift_but_speed_is_not() -> None:
    vx, vy = _rigid(5, 4, (3.0, 4.0))
    np.testing.assert_allclose(movement_signal(vx, vy, FPS, "speed"), 5.0)
    np.testing.assert_allclose(movement_signal(vx, vy, FPS, "relative"), 0.0)
    np.testing.assert_allclose(movement_signal(vx, vy, FPS, "acceleration"), 0.0)


def test_relative_motion_of_paddling_parts_and_median_body_velocity() -> None:
    vx, vy = _rigid(1, 4, (1.0, 0.0))
    vx[0, 3] = 9.0  # one paw strokes forward at 8 cm/s relative to the others
    # mean body velocity (1+1+1+9)/4 = 3: relative speeds 2, 2, 2, 6
    assert movement_signal(vx, vy, FPS, "relative", "mean")[0] == pytest.approx(3.0)
    # median body velocity 1: relative speeds 0, 0, 0, 8 -> median 0; body speed ignores the paw
    assert movement_signal(vx, vy, FPS, "relative", "median")[0] == pytest.approx(0.0)
    assert movement_signal(vx, vy, FPS, "speed", "median")[0] == pytest.approx(1.0)
    vx[0, 1:] = np.nan
    assert np.isnan(movement_signal(vx, vy, FPS, "relative")[0])  # one part known: no relative motion


def test_pose_signal_provenance_units_and_errors() -> None:
    rng = np.random.default_rng(0)
    shape = (50, 1, 3)
    tracks = PoseTracks(
        rng.normal(100, 1, shape), rng.normal(100, 1, shape), np.ones(shape), ("a", "b", "c"), ("m",), 30.0
    )
    [signal] = pose_signals(tracks, PoseSignalParams(kind="speed", px_per_cm=10, bodyparts=("a", "b")))
    assert signal.units == "cm/s" and signal.signal.shape == (50,) and signal.fps == 30.0
    assert signal.params["bodyparts"] == ["a", "b"] and signal.params["px_per_cm"] == 10
    assert [step["step"] for step in signal.params["history"]] == [
        "filter_likelihood",
        "interpolate_gaps",
        "smooth",
    ]
    np.testing.assert_allclose(signal.timestamps[:2], [0, 1 / 30])
    [unscaled] = pose_signals(tracks)
    assert unscaled.units == "px/s" and any("no pixel scale" in w for w in unscaled.warnings)
    with pytest.raises(PoseFileError, match="at least two body parts"):
        pose_signals(tracks, PoseSignalParams(bodyparts=("a",)))
    with pytest.raises(ValueError, match="fixed threshold in cm/s"):
        score_pose_tracks(tracks, get_preset("freezing", "pose", threshold=0.5))
    with pytest.raises(ValueError, match="kind = 'jerk'"):
        PoseSignalParams(kind="jerk")  # type: ignore[arg-type]
