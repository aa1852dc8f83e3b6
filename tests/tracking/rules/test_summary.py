"""Tests of the per-animal results (tracking.rules.summary)."""

from __future__ import annotations

import numpy as np
import pytest

from tracking.rules.immobility import classify_frames
from tracking.rules.presets import get_preset
from tracking.rules.summary import bin_edges, bins_frame, results_frame, score_signal, summarize, time_in

FPS = 30.0
LOW, MID, HIGH = 0.001, 0.05, 0.5


def _fst(immobile: list[tuple[float, float]], duration: float = 360.0, fps: float = FPS) -> np.ndarray:
    """A clean signal: LOW inside the given (start, end) immobile periods, MID elsewhere; frame 0 NaN."""
    t = np.arange(round(duration * fps)) / fps
    signal = np.full(t.size, MID)
    for start, end in immobile:
        signal[(t >= start) & (t < end)] = LOW
    signal[0] = np.nan
    return signal


def test_window_immobility_latency_and_bouts() -> None:
    signal = _fst([(60.0, 70.0), (130.0, 150.0), (200.0, 200.5), (300.0, 330.0), (355.0, 400.0)])
    result = score_signal(signal, fps=FPS, params=get_preset("fst", threshold=0.01), animal="M1")
    assert result.immobility_s == pytest.approx(20.0 + 30.0 + 5.0, abs=1e-6)
    assert result.latency_s == pytest.approx(60.0)  # from test start, before the window
    assert result.n_bouts == 3 and result.mean_bout_s == pytest.approx(55.0 / 3)
    assert result.scored_s == pytest.approx(240.0)
    assert result.threshold == 0.01 and result.threshold_source == "fixed"
    assert result.threshold_trustworthy is None and result.warnings == ()


def test_bout_overlapping_the_window_start_is_clipped() -> None:
    result = score_signal(_fst([(100.0, 130.0)]), fps=FPS, params=get_preset("fst", threshold=0.01))
    assert result.immobility_s == pytest.approx(10.0, abs=1e-6) and result.n_bouts == 1


def test_per_minute_bins_over_the_whole_test() -> None:
    result = score_signal(
        _fst([(30.0, 90.0), (200.0, 215.0)]), fps=FPS, params=get_preset("fst", threshold=0.01)
    )
    minutes = result.bins[result.bins["kind"] == "minute"]
    assert len(minutes) == 6
    np.testing.assert_allclose(minutes["immobile_s"], [30.0, 30.0, 0.0, 15.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(minutes["covered_s"], [60.0 - 1 / FPS, 60, 60, 60, 60, 60], atol=1e-6)


def test_detke_time_sampling_has_48_bins_in_the_fst_window() -> None:
    signal = _fst([(120.0, 180.0)])
    t = np.arange(signal.size) / FPS
    signal[(t >= 300.0) & (t < 330.0)] = HIGH
    result = score_signal(signal, fps=FPS, params=get_preset("fst", threshold=0.01, climb_threshold=0.2))
    samples = result.bins[result.bins["kind"] == "time_sample"]
    assert len(samples) == 48
    assert sum(result.time_sampling.values()) == 48
    assert result.time_sampling == {"immobile": 12, "swimming": 30, "climbing": 6}
    two_states = score_signal(signal, fps=FPS, params=get_preset("fst", threshold=0.01))
    assert two_states.time_sampling == {"immobile": 12, "mobile": 36}


def test_predominant_state_of_a_bin() -> None:
    # 3 s immobile and 2 s mobile in the bin 120-125 s: predominantly immobile.
    result = score_signal(_fst([(118.0, 123.0)]), fps=FPS, params=get_preset("fst", threshold=0.01))
    first = result.bins[result.bins["kind"] == "time_sample"].iloc[0]
    assert first["state"] == "immobile" and first["immobile_s"] == pytest.approx(3.0, abs=1e-6)


def test_video_shorter_than_the_window_reports_what_was_scored() -> None:
    result = score_signal(
        _fst([(150.0, 160.0)], duration=300.0), fps=FPS, params=get_preset("fst", threshold=0.01)
    )
    assert result.scored_s == pytest.approx(180.0)
    assert result.immobility_s == pytest.approx(10.0, abs=1e-6)
    assert any("ends at 300.00 s" in w for w in result.warnings)
    samples = result.bins[result.bins["kind"] == "time_sample"]
    assert (samples["state"] == "missing").sum() == 12
    assert sum(result.time_sampling.values()) == 36


def test_adaptive_threshold_and_untrustworthy_warning() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(int(360 * FPS)) / FPS
    immobile = (t >= 150) & (t < 250)
    signal = np.where(
        immobile, rng.lognormal(np.log(0.002), 0.3, t.size), rng.lognormal(np.log(0.06), 0.3, t.size)
    )
    result = score_signal(signal, fps=FPS)
    assert result.threshold_source == "auto" and result.threshold_trustworthy
    assert result.immobility_s == pytest.approx(100.0, abs=1.0)
    assert result.params["threshold"]["method"] == "t-mixture-log"
    flat = score_signal(rng.lognormal(np.log(0.06), 0.3, t.size), fps=FPS)
    assert flat.threshold_trustworthy is False
    assert any("not trustworthy" in w for w in flat.warnings)


def test_all_zero_signal_gives_nan_results_not_zero() -> None:
    result = score_signal(np.zeros(int(360 * FPS)), fps=FPS)
    assert (
        np.isnan(result.immobility_s) and np.isnan(result.threshold) and result.threshold_trustworthy is False
    )


def test_results_are_invariant_to_frame_rate() -> None:
    periods = [(130.0, 150.3), (200.7, 260.0), (300.0, 301.5)]
    params = get_preset("fst", threshold=0.01)
    a = score_signal(_fst(periods, fps=25.0), fps=25.0, params=params)
    b = score_signal(_fst(periods, fps=30.0), fps=30.0, params=params)
    assert a.immobility_s == pytest.approx(b.immobility_s, abs=2 * len(periods) / 25.0)
    assert a.n_bouts == b.n_bouts and a.latency_s == pytest.approx(b.latency_s, abs=1 / 25.0)


def test_tables_and_provenance() -> None:
    params = get_preset("fst", threshold=0.01, smooth_s=0.1)
    results = [score_signal(_fst([(150.0, 200.0)]), fps=FPS, params=params, animal=a) for a in ("A", "B")]
    table = results_frame(results)
    assert list(table["animal"]) == ["A", "B"]
    for column in ("immobility_s", "latency_s", "n_bouts", "window_start_s", "window_end_s", "threshold"):
        assert column in table.columns
    bins = bins_frame(results)
    assert bins.columns[0] == "animal" and len(bins) == 2 * (6 + 48)
    frames = results[0].frames_frame()
    assert list(frames.columns) == ["frame", "time_s", "signal", "immobile", "state", "scored_signal"]
    assert frames["immobile"].sum() == pytest.approx(50 * FPS, abs=1)
    assert np.isnan(frames["signal"].iloc[0])
    assert results[0].params["preset"]["smooth_s"] == 0.1
    assert results[0].params["bout_rule"]["threshold"] == 0.01


def test_time_in_handles_partial_frames_and_outside_edges() -> None:
    times = np.array([0.0, 1.0, 2.0])
    durations = np.ones(3)
    mask = np.array([True, False, True])
    np.testing.assert_allclose(
        time_in(mask, times, durations, np.array([-1.0, 0.5, 2.5, 10.0])), [0.5, 1.0, 0.5]
    )


def test_bin_edges_last_bin_may_be_shorter() -> None:
    np.testing.assert_allclose(bin_edges(0.0, 130.0, 60.0), [0.0, 60.0, 120.0, 130.0])
    assert len(bin_edges(120.0, 360.0, 5.0)) == 49


def test_summarize_accepts_precomputed_frames() -> None:
    signal = _fst([(150.0, 200.0)])
    frames = classify_frames(signal, fps=FPS, threshold=0.01)
    result = summarize(frames, get_preset("fst", threshold=0.01), raw_signal=signal, animal="X")
    assert result.immobility_s == pytest.approx(50.0, abs=1e-6)
