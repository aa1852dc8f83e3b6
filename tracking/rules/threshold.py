"""Adaptive immobility threshold from a signal's own distribution.

Mobile and immobile frames form two populations of the per-frame signal (changed-pixel fraction or body
speed). Both are skewed and heavy-tailed on the linear scale and roughly symmetric but still heavy-tailed on a
log scale, so the threshold is found on ``log(signal)`` of the positive frames: Otsu's split initialises a
two-component Student-t mixture fitted by expectation-maximisation, the threshold is where the two weighted
components' densities cross, and Ashman's D, the depth of the dip between them and the share of the smaller
population say whether the two populations are separated well enough to trust it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import gammaln

#: Ashman's D at or above which two populations count as cleanly separated (Ashman et al. 1994).
DEFAULT_MIN_SEPARATION = 2.0
#: The smaller population must hold at least this fraction of the valid frames.
DEFAULT_MIN_WEIGHT = 0.05
#: The fitted mixture's lowest density between the two centres, over the lower density at a centre, must not
#: exceed this: a two-component fit to one skewed population has no dip (ratio 1).
DEFAULT_MAX_VALLEY = 0.5
_MIN_VALID_FRAMES = 20
_EM_MAX_ITER = 500
#: Degrees of freedom of each Student-t component of the mixture.
DEGREES_OF_FREEDOM = 4.0
#: The estimator's name in result documents: a two-component Student-t mixture on the log signal (documents
#: written before the name was corrected say ``"gmm-log"`` for the same estimator).
THRESHOLD_METHOD = "t-mixture-log"
#: Runs of zero and positive frames, over the runs expected were the frames in random order, at or below
#: which the zero frames come in bouts (Wald & Wolfowitz 1940): a population of their own.
DEFAULT_MAX_ZERO_RUNS_RATIO = 0.5
#: Robust standard deviations (1.4826 x MAD of the log signal) below the positive frames' median at which
#: a zero-bout signal's threshold lies: the low edge of the mobile population (0.13 % of a Gaussian's).
MOBILE_EDGE_SDS = 3.0
_MAD_TO_SD = 1.4826
_BINS = 512
_GRID = 513
_EM_TOL = 1e-9


@dataclass(frozen=True)
class ThresholdEstimate:
    """An automatic threshold with its separation quality and the parameters that produced it."""

    threshold: float
    trustworthy: bool
    separation: float
    fraction_below: float
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)


def otsu_threshold(x: np.ndarray) -> float:
    """Otsu's threshold of a 1-D sample: the split maximising the between-class variance (exact, no binning).

    Notes
    -----
    Otsu (1979), IEEE Trans. Syst. Man Cybern. 9:62-66. Evaluated at every gap between distinct sorted values,
    so ties (many exact zeros) never straddle the split. Returns the midpoint of the best gap; NaN when ``x``
    has fewer than two distinct values.
    """
    xs = np.sort(np.asarray(x, dtype=np.float64))
    n = xs.size
    gaps = np.flatnonzero(np.diff(xs) > 0)
    if gaps.size == 0:
        return float("nan")
    csum = np.cumsum(xs)
    n_low = gaps + 1.0
    mean_low = csum[gaps] / n_low
    mean_high = (csum[-1] - csum[gaps]) / (n - n_low)
    between = n_low * (n - n_low) * (mean_low - mean_high) ** 2
    best = gaps[int(np.argmax(between))]
    return float((xs[best] + xs[best + 1]) / 2.0)


def ashman_d(mean: np.ndarray, sd: np.ndarray) -> float:
    """Ashman's D between two normal components: ``sqrt(2) |m1 - m2| / sqrt(s1^2 + s2^2)``.

    Notes
    -----
    Ashman, Bird & Zepf (1994), Astron. J. 108:2348. D > 2 is the usual criterion for a clean separation of
    two populations; a unimodal sample split into two overlapping components gives D well below 2.
    """
    return float(np.sqrt(2.0) * abs(mean[1] - mean[0]) / np.sqrt(sd[0] ** 2 + sd[1] ** 2))


def _t_logpdf(x: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Log density of Student-t components (:data:`DEGREES_OF_FREEDOM`) at each ``x`` (rows) and component."""
    nu = DEGREES_OF_FREEDOM
    d2 = ((x[:, None] - loc) / scale) ** 2
    const = gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)
    result: np.ndarray = const - np.log(scale) - (nu + 1) / 2 * np.log1p(d2 / nu)
    return result


@dataclass(frozen=True)
class _Mixture:
    weight: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    iterations: int

    def log_joint(self, x: np.ndarray) -> np.ndarray:
        joint: np.ndarray = _t_logpdf(x, self.loc, self.scale) + np.log(self.weight)
        return joint

    @property
    def sd(self) -> np.ndarray:
        sd: np.ndarray = self.scale * np.sqrt(DEGREES_OF_FREEDOM / (DEGREES_OF_FREEDOM - 2))
        return sd


def _fit_mixture(x: np.ndarray, count: np.ndarray, split: float) -> _Mixture:
    """Fit a two-component Student-t mixture by EM to binned data, starting from the split at ``split``."""
    low = x < split
    weight = np.array([count[low].sum(), count[~low].sum()]) / count.sum()
    loc = np.array([np.average(x[low], weights=count[low]), np.average(x[~low], weights=count[~low])])
    spread = np.sqrt(np.average((x - np.average(x, weights=count)) ** 2, weights=count))
    scale_floor = max(1e-3 * spread, 1e-9)
    scale = np.full(2, max(spread / 2, scale_floor))
    previous = -np.inf
    iteration = 0
    for iteration in range(1, _EM_MAX_ITER + 1):  # noqa: B007 - the count is reported
        joint = _t_logpdf(x, loc, scale) + np.log(weight)
        total = np.logaddexp(joint[:, 0], joint[:, 1])
        resp = np.exp(joint - total[:, None]) * count[:, None]
        u = (DEGREES_OF_FREEDOM + 1) / (DEGREES_OF_FREEDOM + ((x[:, None] - loc) / scale) ** 2)
        nk = np.maximum(resp.sum(axis=0), 1e-12)
        weight = nk / count.sum()
        loc = (resp * u * x[:, None]).sum(axis=0) / np.maximum((resp * u).sum(axis=0), 1e-12)
        scale = np.maximum(np.sqrt((resp * u * (x[:, None] - loc) ** 2).sum(axis=0) / nk), scale_floor)
        loglik = float((total * count).sum())
        if loglik - previous < _EM_TOL * count.sum():
            break
        previous = loglik
    order = np.argsort(loc)
    return _Mixture(weight[order], loc[order], scale[order], iteration)


def _crossing_and_valley(mixture: _Mixture) -> tuple[float, float]:
    """Where the weighted components' densities cross between the centres, and the valley ratio there.

    The valley ratio is the lowest mixture density between the centres over the lower mixture density at a
    centre: 1 when the fitted mixture is unimodal, towards 0 for a deep dip.
    """
    grid = np.linspace(mixture.loc[0], mixture.loc[1], _GRID)
    joint = mixture.log_joint(grid)
    density = np.exp(joint).sum(axis=1)
    valley = float(density.min() / min(density[0], density[-1]))
    diff = joint[:, 0] - joint[:, 1]
    change = np.flatnonzero((diff[:-1] > 0) & (diff[1:] <= 0))
    if change.size == 0:
        return float("nan"), valley
    i = change[0]
    return float(grid[i] + (grid[i + 1] - grid[i]) * diff[i] / (diff[i] - diff[i + 1])), valley


def estimate_threshold(
    signal: np.ndarray,
    *,
    min_separation: float = DEFAULT_MIN_SEPARATION,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    max_valley: float = DEFAULT_MAX_VALLEY,
) -> ThresholdEstimate:
    """Estimate the immobility threshold of one animal's per-frame signal from its own distribution.

    Notes
    -----
    Automated FST and freezing scorers apply a threshold to a motion measure, tuned by hand per set-up
    (ezTrack, Pennington et al. 2019, Sci. Rep. 9:19979; DBscorer, Bruce et al. 2021, fitted to hand-scored
    videos). Here it comes from the video itself. Frames with a signal of exactly zero (no pixel passed the
    cutoff) belong to the low population; the positive values are log-transformed, Otsu's split
    (:func:`otsu_threshold`) seeds a two-component Student-t mixture (4 degrees of freedom, fitted by EM on a
    512-bin histogram: fast and insensitive to the heavy tails of both populations; Peel & McLachlan 2000,
    Stat. Comput. 10:339), and the threshold is where the weighted component densities cross between the
    two centres, mapped back with ``exp``.

    Otsu alone and a Gaussian mixture were compared on synthetic skewed, heavy-tailed mixtures with 5-95%
    immobile frames: Otsu drifts into the larger population when the sizes are unequal (per-frame agreement
    0.84 with 95% immobile frames, against 0.99 for the mixture), and a Gaussian mixture spends a component
    on the heavy tail of one population (agreement 0.95 where 0.99 was possible), so the t mixture is used.

    The estimate is trustworthy when Ashman's D between the components is at least ``min_separation``
    (default 2), the fitted mixture dips between them (valley ratio at most ``max_valley``, default 0.5; a
    two-component fit to one skewed population has no dip), and the smaller population holds at least
    ``min_weight`` of the frames (default 5%). An animal immobile or mobile throughout gives one population
    and fails these checks: ``reason`` says which, and the threshold is still reported (NaN for a constant,
    all-zero or empty signal) so that a fixed or calibrated threshold can replace it.

    A population of exact zeros with a one-population positive remainder is ambiguous by distribution alone:
    immobile zeros and mobile frames (a small animal, whose floating changes no pixel, e.g. a 12 x 6 px mouse
    in a 640 x 240 four-tank frame), or an animal immobile throughout with a little noise. The frames' order
    tells them apart (:func:`zero_bouts`): floating makes zeros in bouts of seconds, noise scatters them.
    Zeros in bouts are the immobile population (a point mass: Ashman's D infinite); the threshold is the low
    edge of the positive, mobile population (:func:`mobile_edge`), not a split inside it: the mixture's split
    there counted half of the strokes at each bout's edges as floating (0.5-2.3 s of false immobility per
    animal over 240 s). Scattered zeros are still reported untrustworthy.
    NaN frames are ignored. The whole signal is used, not only the scored window: the early, mostly mobile
    minutes of a forced swim anchor the mobile population.
    """
    values = np.asarray(signal, dtype=np.float64).ravel()
    valid = values[np.isfinite(values)]
    positive = valid[valid > 0]
    params: dict[str, Any] = {
        "method": THRESHOLD_METHOD,
        "degrees_of_freedom": DEGREES_OF_FREEDOM,
        "min_separation": float(min_separation),
        "min_weight": float(min_weight),
        "max_valley": float(max_valley),
        "n_valid": int(valid.size),
        "n_zero": int(valid.size - positive.size),
    }
    degenerate = _degenerate(valid, positive)
    if degenerate is not None:
        separation, problem = degenerate
        return _estimate(valid, float("nan"), separation, [problem], params)
    fit = _fit_log_signal(valid, positive)
    params.update(fit.params())
    problems = fit.problems(min_separation, min_weight, max_valley)
    threshold = float(np.exp(fit.crossing if np.isfinite(fit.crossing) else fit.split))
    if problems and zero_bouts(valid, min_weight):
        params["zero_bouts"] = {"runs_ratio": zero_runs_ratio(valid), "mobile_edge_sds": MOBILE_EDGE_SDS}
        return _estimate(valid, mobile_edge(positive), float("inf"), [], params)
    return _estimate(valid, threshold, fit.separation, problems, params)


def zero_runs_ratio(valid: np.ndarray) -> float:
    """Runs of zero and of positive frames in ``valid`` (in frame order), over the runs expected at random.

    The expectation for a random order of the same frames is ``2 n0 n1 / n + 1`` (Wald & Wolfowitz 1940,
    Ann. Math. Stat. 11:147-162); zeros that come in bouts make far fewer runs (ratio near 0), zeros
    scattered as noise about as many (ratio near 1). NaN when there are no zeros or no positive frames.
    """
    zero = valid == 0
    n_zero = int(zero.sum())
    n_positive = valid.size - n_zero
    if not n_zero or not n_positive:
        return float("nan")
    observed = 1 + int(np.count_nonzero(zero[1:] != zero[:-1]))
    return observed / (2.0 * n_zero * n_positive / valid.size + 1.0)


def zero_bouts(valid: np.ndarray, min_weight: float) -> bool:
    """Whether the zero frames of ``valid`` (in frame order) are a population: in bouts, and numerous enough.

    Both the zero and the positive frames must hold at least ``min_weight`` of the frames, and the zeros
    must come in bouts (:func:`zero_runs_ratio` at most :data:`DEFAULT_MAX_ZERO_RUNS_RATIO`).
    """
    share = float(np.mean(valid == 0))
    ratio = zero_runs_ratio(valid)
    return min_weight <= share <= 1.0 - min_weight and ratio <= DEFAULT_MAX_ZERO_RUNS_RATIO


def mobile_edge(positive: np.ndarray) -> float:
    """The low edge of the positive (mobile) frames: :data:`MOBILE_EDGE_SDS` robust SDs below their median.

    Computed on the log scale (median and 1.4826 x MAD of ``log(positive)``), mapped back with ``exp``; the
    median and MAD ignore the few positive frames that floating leaves (up to half of them).
    """
    z = np.log(positive)
    median = float(np.median(z))
    spread = _MAD_TO_SD * float(np.median(np.abs(z - median)))
    return float(np.exp(median - MOBILE_EDGE_SDS * spread))


def _estimate(
    valid: np.ndarray, threshold: float, separation: float, problems: list[str], params: Mapping[str, Any]
) -> ThresholdEstimate:
    """The estimate, trustworthy when there are no ``problems``, with the fraction of frames below it."""
    below = float(np.mean(valid < threshold)) if valid.size and np.isfinite(threshold) else float("nan")
    return ThresholdEstimate(threshold, not problems, separation, below, "; ".join(problems), params)


def _degenerate(valid: np.ndarray, positive: np.ndarray) -> tuple[float, str] | None:
    """(separation, reason) for a signal with no two populations to fit (too short, too few values)."""
    if valid.size < _MIN_VALID_FRAMES:
        return float("nan"), f"only {valid.size} frames with a finite signal"
    if np.unique(positive).size < 2:
        return 0.0, "the signal takes fewer than two positive values: no two populations to separate"
    return None


@dataclass(frozen=True)
class _LogFit:
    """The mixture fitted to the log of the positive frames, with the zero frames joined to the low side."""

    split: float
    mixture: _Mixture
    weights: np.ndarray
    separation: float
    crossing: float
    valley: float

    def params(self) -> dict[str, Any]:
        """What the fit found, for the estimate's parameters (locations and SDs on the log scale)."""
        return {
            "otsu_split": float(np.exp(self.split)),
            "weights": self.weights.tolist(),
            "log_locations": self.mixture.loc.tolist(),
            "log_sds": self.mixture.sd.tolist(),
            "valley_ratio": self.valley,
            "em_iterations": self.mixture.iterations,
        }

    def problems(self, min_separation: float, min_weight: float, max_valley: float) -> list[str]:
        """Why the two populations are not separated well enough to trust the threshold (none: trusted)."""
        found = []
        if not np.isfinite(self.crossing):
            found.append("the fitted populations do not cross between their centres (Otsu split reported)")
        if self.separation < min_separation:
            found.append(f"the populations overlap (Ashman's D {self.separation:.2f} < {min_separation:g})")
        if self.valley > max_valley:
            found.append(
                f"no clear dip between the populations (valley ratio {self.valley:.2f} > {max_valley:g})"
            )
        if self.weights.min() < min_weight:
            found.append(f"one population holds only {self.weights.min():.1%} of frames (< {min_weight:.0%})")
        if found:
            found.append(
                "the animal may be mobile or immobile throughout; give a fixed or calibrated threshold"
            )
        return found


def _fit_log_signal(valid: np.ndarray, positive: np.ndarray) -> _LogFit:
    """Fit the two-component t mixture to ``log(positive)`` on a histogram, seeded by Otsu's split."""
    z = np.log(positive)
    split = otsu_threshold(z)
    count, edges = np.histogram(z, bins=_BINS)
    centres = (edges[:-1] + edges[1:]) / 2
    keep = count > 0
    mixture = _fit_mixture(centres[keep], count[keep].astype(np.float64), split)
    zero_share = 1.0 - positive.size / valid.size
    weights = np.array(
        [zero_share + (1.0 - zero_share) * mixture.weight[0], (1.0 - zero_share) * mixture.weight[1]]
    )
    crossing, valley = _crossing_and_valley(mixture)
    return _LogFit(split, mixture, weights, ashman_d(mixture.loc, mixture.sd), crossing, valley)
