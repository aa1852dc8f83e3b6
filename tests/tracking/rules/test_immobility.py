"""Tests of the bout rule (tracking.rules.immobility)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.rules.immobility import (
    FrameState,
    classify_frames,
    frame_durations,
    smooth_signal,
    validate_signal,
)

LOW, HIGH = 0.001, 0.1


def _signal(segments: list[tuple[float, bool]], fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Sample piecewise-constant (duration s, immobile?) segments at ``fps``: LOW if immobile, else HIGH."""
    ends = np.cumsum([d for d, _ in segments])
    t = np.arange(int(np.floor(ends[-1] * fps))) / fps
    index = np.minimum(np.searchsorted(ends, t, side="right"), len(segments) - 1)
    return np.where(np.array([imm for _, imm in segments])[index], LOW, HIGH), t


@pytest.mark.parametrize(("n_low", "expected_bouts"), [(9, 0), (10, 1), (11, 1)])
def test_bout_just_shorter_or_longer_than_minimum(n_low: int, expected_bouts: int) -> None:
    signal = np.r_[np.full(5, HIGH), np.full(n_low, LOW), np.full(5, HIGH)]
    scores = classify_frames(signal, fps=10.0, threshold=0.01, min_bout_s=1.0)
    assert len(scores.bouts) == expected_bouts
    assert scores.immobile.sum() == (n_low if expected_bouts else 0)
    if expected_bouts:
        assert scores.bouts.start_s[0] == pytest.approx(0.5)
        assert scores.bouts.duration_s[0] == pytest.approx(n_low / 10)


def test_minimum_uses_timestamps_not_frame_count() -> None:
    # Eight below-threshold frames, but spaced 0.15 s apart: 1.2 s, a bout although 8 frames < 10 at 10 fps.
    times = np.r_[0.0, 0.1, 0.2, 0.3 + 0.15 * np.arange(8), 1.5 + 0.1 * np.arange(3)]
    signal = np.r_[np.full(3, HIGH), np.full(8, LOW), np.full(3, HIGH)]
    scores = classify_frames(signal, times, fps=10.0, threshold=0.01, min_bout_s=1.0)
    assert len(scores.bouts) == 1
    assert scores.bouts.start_s[0] == pytest.approx(0.3)
    assert scores.bouts.end_s[0] == pytest.approx(1.5)


def test_short_nan_gap_is_bridged_and_long_gap_breaks_the_bout() -> None:
    signal = np.r_[
        np.nan, np.full(4, HIGH), np.full(8, LOW), np.nan, np.nan, np.full(8, LOW), np.full(4, HIGH)
    ]
    bridged = classify_frames(signal, fps=10.0, threshold=0.01, min_bout_s=1.0, max_nan_gap_s=0.25)
    assert len(bridged.bouts) == 1 and bridged.bouts.duration_s[0] == pytest.approx(1.8)
    assert bridged.state[0] == FrameState.MISSING and not bridged.immobile[0]
    broken = classify_frames(signal, fps=10.0, threshold=0.01, min_bout_s=1.0, max_nan_gap_s=0.1)
    assert len(broken.bouts) == 0
    assert (broken.state[13:15] == FrameState.MISSING).all()


def test_nan_gap_next_to_mobile_frames_is_not_bridged() -> None:
    signal = np.r_[np.full(12, LOW), np.nan, np.full(5, HIGH)]
    scores = classify_frames(signal, fps=10.0, threshold=0.01, min_bout_s=1.0)
    assert scores.immobile[:12].all() and not scores.immobile[12:].any()


def test_three_states_for_time_sampling() -> None:
    signal = np.r_[np.full(20, 0.001), np.full(10, 0.05), np.full(10, 0.5), np.full(3, 0.001)]
    scores = classify_frames(signal, fps=10.0, threshold=0.01, climb_threshold=0.2, min_bout_s=1.0)
    assert (scores.state[:20] == FrameState.IMMOBILE).all()
    assert (scores.state[20:30] == FrameState.MOBILE).all()
    assert (scores.state[30:40] == FrameState.CLIMBING).all()
    assert (scores.state[40:] == FrameState.MOBILE).all()  # below threshold but shorter than the minimum


def test_nan_threshold_makes_every_frame_missing() -> None:
    scores = classify_frames(np.zeros(30), fps=10.0, threshold=float("nan"))
    assert (scores.state == FrameState.MISSING).all() and len(scores.bouts) == 0


def test_params_are_recorded() -> None:
    scores = classify_frames(np.zeros(30), fps=10.0, threshold=0.5, min_bout_s=0.9, max_nan_gap_s=0.2)
    assert scores.params["threshold"] == 0.5 and scores.params["min_bout_s"] == 0.9
    assert scores.params["max_nan_gap_s"] == 0.2 and scores.params["climb_threshold"] is None


@pytest.mark.parametrize(
    ("signal", "times", "fps", "message"),
    [
        (np.zeros((3, 2)), None, 10.0, "1-D"),
        (np.zeros(3), None, 0.0, "fps"),
        (np.array([0.0, np.inf, 0.0]), None, 10.0, "infinite"),
        (np.zeros(3), np.array([0.0, 0.1]), 10.0, "shape"),
        (np.zeros(3), np.array([0.0, 0.2, 0.1]), 10.0, "frame 2"),
    ],
)
def test_validate_signal_names_the_problem(signal, times, fps, message) -> None:
    with pytest.raises(ValueError, match=message):
        validate_signal(signal, times, fps)


def test_frame_durations_last_frame_uses_fps() -> None:
    np.testing.assert_allclose(frame_durations(np.array([0.0, 0.04, 0.1]), 25.0), [0.04, 0.06, 0.04])


def test_smoothing_removes_single_frame_spike_and_skips_nan() -> None:
    signal = np.r_[np.full(10, LOW), HIGH, np.full(4, LOW), np.nan, np.full(4, LOW)]
    smoothed = smooth_signal(signal, fps=10.0, window_s=0.5)
    assert np.allclose(smoothed, LOW)
    np.testing.assert_array_equal(smooth_signal(signal, fps=10.0, window_s=0.0), signal)


durations = st.floats(0.05, 4.0)
segments = st.lists(st.tuples(durations, st.booleans()), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.floats(0.0, 1.0), st.just(float("nan"))), min_size=1, max_size=120),
    threshold=st.floats(0.01, 0.99),
    min_bout_s=st.floats(0.0, 2.0),
)
def test_every_bout_is_long_enough_and_below_threshold(values, threshold, min_bout_s) -> None:
    signal = np.array(values)
    scores = classify_frames(signal, fps=10.0, threshold=threshold, min_bout_s=min_bout_s, max_nan_gap_s=0.0)
    for start, stop, dur in zip(
        scores.bouts.start_frame, scores.bouts.stop_frame, scores.bouts.duration_s, strict=False
    ):
        assert dur >= min_bout_s - 1e-6
        assert (signal[start:stop] < threshold).all()
    assert scores.immobile.sum() == sum(
        stop - start for start, stop in zip(scores.bouts.start_frame, scores.bouts.stop_frame, strict=False)
    )


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=120),
    low=st.floats(0.0, 1.0),
    raise_by=st.floats(0.0, 1.0),
)
def test_raising_the_threshold_never_decreases_immobility(values, low, raise_by) -> None:
    signal = np.array(values)
    lower = classify_frames(signal, fps=10.0, threshold=low, min_bout_s=0.5)
    higher = classify_frames(signal, fps=10.0, threshold=low + raise_by, min_bout_s=0.5)
    assert not (lower.immobile & ~higher.immobile).any()


@settings(max_examples=40, deadline=None)
@given(segments=segments, jitter=st.integers(0, 2**32 - 1))
def test_bouts_invariant_to_frame_rate(segments, jitter) -> None:
    # Keep segment lengths away from the minimum bout by more than the two frames' sampling error.
    segments = [(d if abs(d - 1.0) > 0.1 else d + 0.2, imm) for d, imm in segments]
    found = []
    for fps in (25.0, 30.0):
        signal, times = _signal(segments, fps)
        found.append(classify_frames(signal, times, fps=fps, threshold=0.01, min_bout_s=1.0).bouts)
    a, b = found
    assert len(a) == len(b)
    np.testing.assert_allclose(a.start_s, b.start_s, atol=1 / 25 + 1e-9)
    np.testing.assert_allclose(a.end_s, b.end_s, atol=1 / 25 + 1e-9)


def test_irregular_timestamps_match_regular_ones_within_a_frame() -> None:
    rng = np.random.default_rng(3)
    segments = [(10.0, False), (5.0, True), (0.6, False), (8.0, True), (3.0, False)]
    signal, times = _signal(segments, 30.0)
    jittered = times + rng.uniform(-0.25, 0.25, times.size) / 30.0
    regular = classify_frames(signal, times, fps=30.0, threshold=0.01)
    irregular = classify_frames(signal, jittered, fps=30.0, threshold=0.01)
    assert len(regular.bouts) == len(irregular.bouts) == 2
    np.testing.assert_allclose(regular.bouts.start_s, irregular.bouts.start_s, atol=1 / 30)
    np.testing.assert_allclose(regular.bouts.duration_s, irregular.bouts.duration_s, atol=1 / 30)
