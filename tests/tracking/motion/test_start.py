"""Test-start detection: each tank's entry found within 0.5 s on synthetic videos with lead-ins and drops."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tracking.motion.signal import despike, motion_signal
from tracking.motion.start import (
    DEFAULT_MIN_RISE,
    FIRST_FRAMES,
    START_DESPIKE_FRAMES,
    detect_start,
    detect_starts,
)
from tracking.rules.starts import StartStatus
from tracking.synth.truth import SynthTruth

#: The acceptance criterion of issue 15: detected start within this many seconds of the true entry.
START_TOLERANCE_S = 0.5


def _start_errors(truth: SynthTruth) -> dict[str, float]:
    """Detected minus true entry (s) per tank; every tank must have entered."""
    starts = detect_starts(motion_signal(truth.video, [tank.roi for tank in truth.tanks]))
    errors = {}
    for tank in truth.tanks:
        found = starts[tank.label]
        assert found.status is StartStatus.ENTERED and found.start_s is not None, (tank.label, found)
        assert found.confidence is not None and 0.5 < found.confidence <= 1.0
        assert found.evidence["rise_ratio"] > 2.0
        errors[tank.label] = found.start_s - tank.entry_s
    return errors


@pytest.mark.parametrize(
    ("entries", "mouse_length_px", "seed"),
    [
        ((5.0, 20.0, 50.0, 95.0), 12.0, 1),
        ((60.0, 61.5, 75.3, 150.0), None, 2),
    ],
    ids=["lead-in-5s-small-mice", "lead-in-60s-90s-apart"],
)
def test_each_tank_start_is_found_within_half_a_second(
    synth_factory: Callable[..., SynthTruth],
    entries: tuple[float, ...],
    mouse_length_px: float | None,
    seed: int,
) -> None:
    truth = synth_factory(
        duration_s=max(entries) + 5.0,
        fps=10.0,
        size=(640, 240),
        n_tanks=4,
        entry_s=entries,
        mouse_length_px=mouse_length_px,
        latency_s=(2.0, 20.0),
        seed=seed,
    )
    errors = _start_errors(truth)
    assert all(abs(error) <= START_TOLERANCE_S for error in errors.values()), errors


@pytest.mark.slow
def test_small_mice_at_25_fps_in_h264_are_found_within_half_a_second(
    synth_factory: Callable[..., SynthTruth],
) -> None:
    truth = synth_factory(
        duration_s=125.0,
        fps=25.0,
        size=(640, 240),
        n_tanks=4,
        entry_s=(30.0, 8.2, 97.7, 120.0),
        mouse_length_px=12.0,
        codec="h264",
        latency_s=(2.0, 20.0),
        seed=5,
    )
    errors = _start_errors(truth)
    assert all(abs(error) <= START_TOLERANCE_S for error in errors.values()), errors


def test_present_at_start_gives_start_zero_and_an_empty_tank_no_start(
    synth_factory: Callable[..., SynthTruth],
) -> None:
    truth = synth_factory(
        duration_s=20.0,
        fps=10.0,
        size=(640, 240),
        n_tanks=3,
        entry_s=(0.0, 0.6, 25.0),
        latency_s=(5.0, 10.0),
        seed=3,
    )
    starts = detect_starts(motion_signal(truth.video, [tank.roi for tank in truth.tanks]))
    present, early, empty = (starts[tank.label] for tank in truth.tanks)
    assert present.status is StartStatus.PRESENT_AT_START and present.start_s == 0.0
    assert early.status is StartStatus.ENTERED
    assert early.start_s == pytest.approx(0.6, abs=START_TOLERANCE_S)
    assert empty.status is StartStatus.NO_ENTRY
    assert empty.start_s is None and empty.start_frame is None and empty.confidence is None


def _water(n_frames: int, rng: np.random.Generator) -> np.ndarray:
    """An empty tank's signal: mostly no change, a few pixels here and there; frame 0 NaN."""
    values = np.where(rng.random(n_frames) < 0.2, rng.uniform(0, 0.002, n_frames), 0.0)
    values[0] = np.nan
    return values


def test_single_frame_jumps_neither_count_nor_pull_the_start_early() -> None:
    values = _water(400, np.random.default_rng(0))
    values[12::12] = 0.013
    assert detect_start(values, 25.0).status is StartStatus.NO_ENTRY
    values[250:300] = 0.05
    found = detect_start(values, 25.0)
    assert found.status is StartStatus.ENTERED and found.start_frame == 250
    assert found.start_s == pytest.approx(10.0)
    assert found.evidence["rise_ratio"] == pytest.approx(0.05 / DEFAULT_MIN_RISE)
    assert found.confidence == pytest.approx(1.0 - DEFAULT_MIN_RISE / 0.05)


def test_confidence_is_zero_at_the_required_rise_and_one_far_above_it() -> None:
    values = _water(400, np.random.default_rng(4))
    values[250:] = DEFAULT_MIN_RISE * 1.0001
    assert detect_start(values, 25.0).confidence == pytest.approx(0.0, abs=1e-3)
    values[250:] = 1.0
    assert detect_start(values, 25.0).confidence == pytest.approx(1.0, abs=0.01)


def test_a_rise_must_be_sustained_and_far_above_a_noisy_baseline() -> None:
    rng = np.random.default_rng(1)
    values = 0.02 + rng.normal(0.0, 0.002, 500)
    values[100:105] = 0.2
    values[300:] += 0.03
    found = detect_start(values, 25.0)
    baseline, noise_sd = found.evidence["baseline"], found.evidence["noise_sd"]
    assert baseline == pytest.approx(0.02, abs=0.001)
    assert 0.0005 < noise_sd < 0.002  # the despiked signal's spread: a running median narrows noise
    assert found.evidence["threshold"] == pytest.approx(baseline + 6 * noise_sd)
    assert found.status is StartStatus.ENTERED and 300 <= found.start_frame <= 302  # type: ignore[operator]


def test_the_start_is_in_video_time_from_the_timestamps() -> None:
    values = _water(100, np.random.default_rng(2))
    values[60:] = 0.1
    found = detect_start(values, 10.0, timestamps=np.arange(100) / 10.0 + 3.0)
    assert found.start_s == pytest.approx(9.0)
    with pytest.raises(ValueError, match="one entry per frame"):
        detect_start(values, 10.0, timestamps=np.arange(99) / 10.0)


def test_parameters_are_recorded_and_bad_ones_refused() -> None:
    found = detect_start(_water(100, np.random.default_rng(3)), 10.0, sustain_s=1.0)
    assert found.params["sustain_frames"] == 10 and found.params["min_rise"] == DEFAULT_MIN_RISE
    assert found.params["baseline_from"] == FIRST_FRAMES
    with pytest.raises(ValueError, match="min_rise"):
        detect_start(np.zeros(10), 10.0, min_rise=0.0)
    with pytest.raises(ValueError, match="no frames"):
        detect_start(np.zeros(0), 10.0)


def test_despike_removes_single_frames_and_keeps_runs() -> None:
    values = np.array([0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    despiked = despike(values, START_DESPIKE_FRAMES)
    np.testing.assert_array_equal(despiked, [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0])
