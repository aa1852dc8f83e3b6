"""Tests of the adaptive threshold (tracking.rules.threshold) on synthetic skewed, heavy-tailed mixtures."""

from __future__ import annotations

import numpy as np
import pytest

from tracking.rules.threshold import ashman_d, estimate_threshold, otsu_threshold

N = 10_800  # a 6-min test at 30 fps


def _motion(rng: np.random.Generator, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Changed-pixel fractions: immobile frames often exactly 0, else tiny; mobile lognormal."""
    k = int(p * N)
    immobile = np.where(rng.random(k) < 0.6, 0.0, rng.lognormal(np.log(0.002), 0.8, k))
    mobile = rng.lognormal(np.log(0.06), 0.5, N - k)
    return np.r_[immobile, mobile], np.r_[np.ones(k, bool), np.zeros(N - k, bool)]


def _pose(rng: np.random.Generator, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Body speeds (cm/s): immobile gamma, mobile log-t (heavy tails both ways)."""
    k = int(p * N)
    immobile = rng.gamma(2.0, 0.15, k)
    mobile = np.exp(np.log(6.0) + 0.4 * rng.standard_t(3, N - k))
    return np.r_[immobile, mobile], np.r_[np.ones(k, bool), np.zeros(N - k, bool)]


@pytest.mark.parametrize("generate", [_motion, _pose])
@pytest.mark.parametrize("p", [0.15, 0.3, 0.5, 0.7, 0.85])
def test_recovers_the_boundary_of_two_populations(generate, p: float) -> None:
    signal, truth = generate(np.random.default_rng(int(p * 100)), p)
    estimate = estimate_threshold(signal)
    assert estimate.trustworthy, estimate.reason
    assert np.mean((signal < estimate.threshold) == truth) >= 0.97
    assert estimate.separation >= 2.0
    assert estimate.fraction_below == pytest.approx(np.mean(signal < estimate.threshold))


def test_nan_frames_are_ignored() -> None:
    signal, truth = _motion(np.random.default_rng(1), 0.5)
    with_nan = signal.copy()
    with_nan[::50] = np.nan
    estimate = estimate_threshold(with_nan)
    assert estimate.trustworthy
    assert estimate.params["n_valid"] == N - len(range(0, N, 50))
    assert np.mean((signal < estimate.threshold) == truth) >= 0.97


@pytest.mark.parametrize(
    "make",
    [
        lambda r: r.lognormal(np.log(0.06), 0.5, N),  # never immobile (motion)
        lambda r: np.where(r.random(N) < 0.6, 0.0, r.lognormal(np.log(0.002), 0.8, N)),  # immobile throughout
        lambda r: r.gamma(2.0, 0.15, N),  # immobile throughout (pose)
        lambda r: r.exponential(1.0, N),
        lambda r: np.exp(r.standard_t(3, N)),
        lambda r: r.chisquare(1, N),
        lambda r: r.uniform(0.0, 1.0, N),
    ],
)
def test_one_population_is_not_trustworthy(make) -> None:
    estimate = estimate_threshold(make(np.random.default_rng(7)))
    assert not estimate.trustworthy
    assert "mobile or immobile throughout" in estimate.reason


@pytest.mark.parametrize(
    ("signal", "reason"),
    [
        (np.zeros(N), "fewer than two positive values"),
        (np.full(N, 0.3), "fewer than two positive values"),
        (np.full(N, np.nan), "only 0 frames"),
        (np.r_[np.full(N - 5, np.nan), np.arange(5.0)], "only 5 frames"),
    ],
)
def test_degenerate_signals_give_nan_threshold_and_reason(signal, reason) -> None:
    estimate = estimate_threshold(signal)
    assert not estimate.trustworthy and np.isnan(estimate.threshold)
    assert reason in estimate.reason


def test_params_record_the_fit() -> None:
    estimate = estimate_threshold(_motion(np.random.default_rng(2), 0.5)[0])
    for key in ("method", "min_separation", "weights", "log_locations", "log_sds", "valley_ratio", "n_zero"):
        assert key in estimate.params
    assert sum(estimate.params["weights"]) == pytest.approx(1.0)


def test_otsu_splits_two_clusters_and_ignores_ties() -> None:
    x = np.r_[np.zeros(100), np.full(50, 10.0), np.full(50, 11.0)]
    assert otsu_threshold(x) == pytest.approx(5.0)
    assert np.isnan(otsu_threshold(np.ones(10)))


def test_ashman_d() -> None:
    assert ashman_d(np.array([0.0, 4.0]), np.array([1.0, 1.0])) == pytest.approx(4.0)
