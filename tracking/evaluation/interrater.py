"""Agreement among several raters at once: Fleiss' kappa per frame, ICC(2,1) on per-video seconds.

Notes
-----
Fleiss' kappa (Fleiss 1971, Psychol. Bull. 76:378) generalises Cohen's to any number of raters: the mean
agreement of all rater pairs on each frame, against the agreement expected from how often raters call a
frame immobile overall (as :func:`statsmodels.stats.inter_rater.fleiss_kappa` computes it, here from the
counts of each rating pattern so that a bootstrap stays fast). Its 95% interval
is a percentile bootstrap over whole units (videos, or contiguous time blocks of one recording; see
:mod:`tracking.evaluation.agreement`), never over single frames, with a fixed seed.

ICC(2,1) (Shrout & Fleiss 1979, Psychol. Bull. 86:420): two-way random effects, absolute agreement, one
rater; the share of the variance of per-video seconds that lies between videos, counting a rater who
scores every video 20 s higher as disagreement (unlike Pearson's r). From the two-way ANOVA mean squares of
videos (MSR), raters (MSC) and residual (MSE) on n videos and k raters:
ICC = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n). Its interval is the F-based one of McGraw &
Wong (1996, Psychol. Methods 1:30, case 2A), with Satterthwaite's degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tracking.evaluation.intervals import Interval


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval (NaN bounds when it has none) and how the interval was made."""

    value: float
    ci: Interval
    method: str


_NO_INTERVAL = (float("nan"), float("nan"))


def fleiss_kappa_units(units: Sequence[np.ndarray], unit: str) -> Estimate:
    """Fleiss' kappa of ratings ``(frames, raters)`` (category codes, e.g. 0/1) pooled over units, with CI.

    Each unit (a video, or a time block of one) is resampled whole; fewer than two units give no interval.
    """
    from tracking.evaluation.intervals import bootstrap_intervals

    if not units:
        raise ValueError("no frames rated by every rater")
    categories = np.unique(np.concatenate([np.asarray(u).ravel() for u in units]))
    tables = [_category_counts(np.asarray(u), categories) for u in units]
    patterns, inverse = np.unique(np.concatenate(tables), axis=0, return_inverse=True)
    unit_of_frame = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    per_unit = np.zeros((len(tables), len(patterns)), dtype=np.int64)
    np.add.at(per_unit, (unit_of_frame, inverse.ravel()), 1)
    value = float(_fleiss(per_unit.sum(axis=0, keepdims=True), patterns)[0])
    if len(units) < 2:
        return Estimate(value, _NO_INTERVAL, "none (one unit)")
    interval = bootstrap_intervals(per_unit, lambda w: {"kappa": _fleiss(w, patterns)}, ("kappa",))
    return Estimate(value, interval["kappa"], f"bootstrap over {len(units)} {unit}")


def _category_counts(ratings: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Counts of raters per category for each frame, one column per category of the whole data."""
    return np.stack([(ratings == c).sum(axis=1) for c in categories], axis=1)


def _fleiss(weights: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Fleiss' kappa of frames given as how many show each rating pattern: ``weights (..., patterns)``.

    :func:`statsmodels.stats.inter_rater.fleiss_kappa` on the frames one by one gives the same value (the
    tests check it); it takes no weights, and a bootstrap of thousands of resamples needs them.
    """
    patterns = patterns.astype(np.float64)
    k = patterns.sum(axis=1)[0]
    weights = weights.astype(np.float64)
    frames = weights.sum(axis=-1, keepdims=True)
    share = (weights @ patterns) / (frames * k)
    observed = (weights @ (((patterns**2).sum(axis=1) - k) / (k * (k - 1)))) / frames[..., 0]
    chance = (share**2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((observed - chance) / (1 - chance))


def icc_2_1(seconds: np.ndarray) -> Estimate:
    """ICC(2,1) of a ``(videos, raters)`` table of seconds, with its F-based 95% interval (Notes).

    NaN below two videos or two raters, or when every value is equal.
    """
    from scipy import stats

    from tracking.evaluation.intervals import CONFIDENCE

    table = np.asarray(seconds, dtype=np.float64)
    n, k = table.shape
    if n < 2 or k < 2 or not np.isfinite(table).all():
        return Estimate(float("nan"), _NO_INTERVAL, "none")
    grand = table.mean()
    msr = k * ((table.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((table.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    sse = ((table - grand) ** 2).sum() - msr * (n - 1) - msc * (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if denominator <= 0:
        return Estimate(float("nan"), _NO_INTERVAL, "none")
    icc = float((msr - mse) / denominator)
    if icc >= 1:
        return Estimate(icc, _NO_INTERVAL, "none (perfect agreement)")
    a = k * icc / (n * (1 - icc))
    b = 1 + k * icc * (n - 1) / (n * (1 - icc))
    dof = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    alpha = 1 - CONFIDENCE
    f_low = stats.f.ppf(1 - alpha / 2, n - 1, dof)
    f_high = stats.f.ppf(1 - alpha / 2, dof, n - 1)
    spread = k * msc + (k * n - k - n) * mse
    low = n * (msr - f_low * mse) / (f_low * spread + n * msr)
    high = n * (f_high * msr - mse) / (spread + n * f_high * msr)
    return Estimate(icc, (float(low), float(high)), "F, McGraw & Wong 1996")


__all__ = ["Estimate", "fleiss_kappa_units", "icc_2_1"]
