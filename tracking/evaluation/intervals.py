"""95% confidence intervals of agreement figures.

Per-frame statistics by a bootstrap over units, per-video statistics by their sampling distributions.

Notes
-----
Frames are autocorrelated (an immobility bout spans hundreds of them), so resampling frames would give
intervals far too narrow. The bootstrap here resamples whole units instead, each unit's confusion counts
kept together: videos when there are enough of them, else contiguous time blocks of a recording (Künsch
1989, Ann. Stat. 17:1217, on blocks for dependent data). The percentile interval of ``BOOTSTRAP_RESAMPLES``
resamples is taken with a fixed seed, so a report gives the same interval every time. Pearson's r uses
Fisher's z (se ``1 / sqrt(n - 3)``; with three videos the interval is the whole of -1 to 1); the Bland-Altman
bias uses Student's t on the differences, and its limits of agreement the approximate standard error
``sd * sqrt(3 / n)`` of Bland & Altman (1999, Stat. Methods Med. Res. 8:135).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 16

Interval = tuple[float, float]
_NAN_INTERVAL: Interval = (float("nan"), float("nan"))


def count_statistics(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy, F1 of the immobile class and Cohen's kappa of confusion counts ``(..., 4)``: tp, fp, fn, tn.

    Vectorised over the leading axes; NaN where a statistic is undefined.
    """
    tp, fp, fn, tn = np.moveaxis(np.asarray(counts, dtype=np.float64), -1, 0)
    n = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (tp + tn) / n
        chance = ((tp + fn) * (tp + fp) + (fp + tn) * (fn + tn)) / n**2
        return {
            "accuracy": observed,
            "f1": 2 * tp / (2 * tp + fp + fn),
            "kappa": np.where(chance < 1, (observed - chance) / (1 - chance), np.nan),
        }


def bootstrap_intervals(
    units: np.ndarray, statistics: Callable[[np.ndarray], Mapping[str, np.ndarray]], names: Sequence[str]
) -> dict[str, Interval]:
    """Percentile intervals of ``statistics`` of the units' sum, resampling whole units (rows of ``units``).

    ``statistics`` takes summed units ``(resamples, ...)`` and returns each named figure per resample. Fewer
    than two units give NaN intervals: one unit says nothing about how the figure varies.
    """
    if units.shape[0] < 2:
        return dict.fromkeys(names, _NAN_INTERVAL)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = rng.integers(0, units.shape[0], size=(BOOTSTRAP_RESAMPLES, units.shape[0]))
    resampled = statistics(units[draws].sum(axis=1))
    tail = (1 - CONFIDENCE) / 2 * 100
    intervals = {}
    for name in names:
        finite = resampled[name][np.isfinite(resampled[name])]
        low, high = np.percentile(finite, [tail, 100 - tail]) if finite.size else _NAN_INTERVAL
        intervals[name] = (float(low), float(high))
    return intervals


def bootstrap_count_intervals(unit_counts: np.ndarray) -> dict[str, Interval]:
    """Percentile intervals of accuracy, F1 and kappa, resampling units (rows of ``(n_units, 4)`` counts)."""
    units = np.asarray(unit_counts, dtype=np.float64).reshape(-1, 4)
    return bootstrap_intervals(units, count_statistics, ("accuracy", "f1", "kappa"))


def pearson_interval(r: float, n: int) -> Interval:
    """Fisher-z interval of a Pearson r over ``n`` pairs; NaN for an undefined r or fewer than three pairs."""
    if n < 3 or not np.isfinite(r):
        return _NAN_INTERVAL
    if n == 3:
        return (-1.0, 1.0)
    z = float(np.arctanh(np.clip(r, -1 + 1e-12, 1 - 1e-12)))
    half = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) / np.sqrt(n - 3)
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


def bland_altman_intervals(differences: Sequence[float]) -> dict[str, Interval]:
    """Intervals of the bias (Student's t) and of each 95% limit of agreement; NaN below two differences."""
    values = np.asarray(differences, dtype=np.float64)
    n = values.size
    if n < 2:
        return dict.fromkeys(("bias", "lower_limit", "upper_limit"), _NAN_INTERVAL)
    bias, sd = float(values.mean()), float(values.std(ddof=1))
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1))
    half_bias = t * sd / np.sqrt(n)
    half_limit = t * sd * np.sqrt(3 / n)
    limits = {"lower_limit": bias - 1.96 * sd, "upper_limit": bias + 1.96 * sd}
    intervals = {"bias": (bias - half_bias, bias + half_bias)}
    for name, limit in limits.items():
        intervals[name] = (limit - half_limit, limit + half_limit)
    return intervals


__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "CONFIDENCE",
    "Interval",
    "bland_altman_intervals",
    "bootstrap_count_intervals",
    "bootstrap_intervals",
    "count_statistics",
    "pearson_interval",
]
