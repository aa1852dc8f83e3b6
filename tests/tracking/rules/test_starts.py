"""An animal's test start: its window, bins, latency and threshold count from it; start 0 changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracking.rules.presets import get_preset
from tracking.rules.starts import (
    VIDEO_START,
    AnimalStart,
    DetectedStart,
    StartSource,
    StartStatus,
    starts_from_detections,
)
from tracking.rules.summary import score_signal

FPS = 10.0
PARAMS = get_preset("fst", window_start_s=10.0, window_end_s=30.0, test_duration_s=30.0, bin_s=10.0)


def test_signal(lead_in_s: float, seed: int = 3) -> np.ndarray:
    """An empty tank (almost no motion) for ``lead_in_s``, then 30 s of test: 12 s swimming, 3 s float, ..."""
    rng = np.random.default_rng(seed)
    floats = [np.r_[rng.uniform(0.001, 0.002, 30), rng.uniform(0.05, 0.1, 30)] for _ in range(3)]
    test = np.concatenate([rng.uniform(0.05, 0.1, 120), *floats])
    return np.concatenate([rng.uniform(0.0, 0.0005, round(lead_in_s * FPS)), test])


test_signal.__test__ = False  # type: ignore[attr-defined]


def test_the_window_bins_and_latency_count_from_the_start() -> None:
    lead = 7.0
    at_start = score_signal(test_signal(0.0), fps=FPS, params=PARAMS)
    shifted = score_signal(
        test_signal(lead), fps=FPS, params=PARAMS, start=AnimalStart.entered(lead), animal="m1"
    )
    assert shifted.immobility_s == pytest.approx(at_start.immobility_s, abs=1e-9)
    assert (shifted.window_start_s, shifted.window_end_s) == (lead + 10.0, lead + 30.0)
    assert shifted.latency_s == pytest.approx(at_start.latency_s, abs=1e-9) == pytest.approx(12.0)
    minutes = shifted.bins[shifted.bins["kind"] == "minute"]
    assert minutes["start_s"].tolist() == [lead, lead + 10.0, lead + 20.0]
    assert minutes["immobile_s"].tolist() == pytest.approx(
        at_start.bins[at_start.bins["kind"] == "minute"]["immobile_s"].tolist()
    )
    assert shifted.time_sampling == at_start.time_sampling
    row = shifted.to_row()
    assert (row["test_start_s"], row["start_source"], row["start_confidence"]) == (lead, "entered", None)
    assert shifted.params["test_start"] == {"start_s": lead, "source": "entered", "confidence": None}


def test_frames_before_the_start_are_unscored_and_left_out_of_the_threshold() -> None:
    lead = 7.0
    shifted = score_signal(test_signal(lead), fps=FPS, params=PARAMS, start=AnimalStart.entered(lead))
    alone = score_signal(test_signal(0.0), fps=FPS, params=PARAMS)
    before = shifted.frames.time_s < lead
    assert (shifted.frames.state[before] == -1).all() and not shifted.frames.immobile[before].any()
    assert shifted.threshold == pytest.approx(alone.threshold)
    assert shifted.threshold_estimate is not None and alone.threshold_estimate is not None
    assert shifted.threshold_estimate.params["n_valid"] == alone.threshold_estimate.params["n_valid"]
    assert not shifted.warnings


def test_start_zero_is_the_default_and_recorded_as_the_video_start() -> None:
    signal = test_signal(7.0)
    default = score_signal(signal, fps=FPS, params=PARAMS)
    explicit = score_signal(signal, fps=FPS, params=PARAMS, start=VIDEO_START)
    pd.testing.assert_frame_equal(default.bins, explicit.bins)
    assert default.to_row() == explicit.to_row()
    assert default.start == AnimalStart(0.0, StartSource.VIDEO_START, None)
    assert default.to_row()["start_source"] == "video start"
    assert (default.window_start_s, default.window_end_s) == (10.0, 30.0)


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_a_start_must_be_seconds_of_video_time(value: float) -> None:
    with pytest.raises(ValueError, match="seconds >= 0 of video time"):
        AnimalStart.entered(value)


def test_a_start_round_trips_through_its_record() -> None:
    detected = AnimalStart(12.5, StartSource.DETECTED, 40.0)
    assert AnimalStart.from_dict(detected.to_dict()) == detected


def test_detections_become_detected_or_present_starts_or_reasons() -> None:
    detections = {
        "tank1": DetectedStart(StartStatus.ENTERED, 12.5, 125, 0.9, {"rise_ratio": 10.0}),
        "tank2": DetectedStart(StartStatus.PRESENT_AT_START, 0.0, 0, 1.0),
        "tank3": DetectedStart(StartStatus.NO_ENTRY, None, None, None, {"threshold": 0.005}),
    }
    starts, failed = starts_from_detections(
        detections, lambda label, found: f"{label}: nothing above {found.evidence['threshold']}"
    )
    assert starts == {
        "tank1": AnimalStart(12.5, StartSource.DETECTED, 0.9),
        "tank2": AnimalStart(0.0, StartSource.PRESENT_AT_START, 1.0),
    }
    assert failed == {"tank3": "tank3: nothing above 0.005"}
