"""How many animals per arm a study needs to detect the smallest effect of interest.

Notes
-----
- Two arms: the sample size of a two-sided two-sample t-test with equal group sizes for a standardized effect
  (Cohen's d, the mean difference over the common SD; Cohen 1988, Statistical Power Analysis, ch. 2),
  the smallest whole n whose exact power (noncentral t distribution, statsmodels ``TTestIndPower``) reaches
  the wanted power, which is statsmodels' ``solve_power`` solution rounded up. It assumes equal
  variances; at equal n and equal SDs Welch's test has the same power to within its slightly smaller
  degrees of freedom, so the n is a close approximation for the Welch t-test the analysis reports.
- k arms, each compared with the reference arm: the same computation with alpha split over the k - 1
  comparisons (Bonferroni). Dunnett's test, which the analysis runs, accounts for the correlation of the
  comparisons through the shared reference arm and so is slightly less strict than Bonferroni: the n is
  conservative (never too small) for Dunnett's comparisons (Dunnett 1955, JASA 50:1096). The omnibus
  ANOVA is not the comparison of interest and does not set the n.
- n is rounded up to a whole animal and is at least 2 per arm (a variance needs two values); the achieved
  power is that of the rounded n at the per-comparison alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from analysis.errors import AnalysisError
from analysis.jsonready import JsonReady

MINIMUM_N_PER_ARM = 2
ALPHA_RANGE = (0.0, 0.5)
POWER_RANGE = (0.5, 0.99)
TWO_ARM_METHOD = "two-sided two-sample t-test, equal n, Cohen's d (statsmodels TTestIndPower)"
K_ARM_METHOD = (
    "two-sided two-sample t-test of each of {comparisons} arms against the reference, equal n, Cohen's d, "
    "alpha Bonferroni-split over the {comparisons} comparisons (statsmodels TTestIndPower; conservative "
    "for Dunnett's test)"
)


@dataclass(frozen=True)
class SampleSize(JsonReady):
    """The animals per arm and in total for the smallest effect of interest, with every input recorded."""

    n_per_arm: int
    n_total: int
    achieved_power: float
    method: str
    inputs: dict[str, Any]


def input_problems(smallest_effect_d: float, n_arms: int, alpha: float, power: float) -> dict[str, str]:
    """Each input outside what a sample size can be computed from -> ``"VALUE; accepted: ..."``."""
    problems = {}
    if not (math.isfinite(smallest_effect_d) and smallest_effect_d > 0):
        problems["smallest_effect_d"] = (
            f"{smallest_effect_d:g}; accepted: a finite Cohen's d > 0 (its size; the sign does not matter)"
        )
    if isinstance(n_arms, bool) or not isinstance(n_arms, int) or n_arms < 2:
        problems["n_arms"] = f"{n_arms!r}; accepted: a whole number >= 2"
    if not ALPHA_RANGE[0] < alpha <= ALPHA_RANGE[1]:
        problems["alpha"] = f"{alpha:g}; accepted: > {ALPHA_RANGE[0]:g} and <= {ALPHA_RANGE[1]:g}"
    if not POWER_RANGE[0] <= power <= POWER_RANGE[1]:
        problems["power"] = f"{power:g}; accepted: {POWER_RANGE[0]:g} to {POWER_RANGE[1]:g}"
    return problems


def _power(d: float, n: int, alpha: float) -> float:
    """Power of the two-sided two-sample t-test with ``n`` per arm (statsmodels ``TTestIndPower``).

    At a large noncentrality the probability of the wrong-signed rejection region underflows and SciPy's
    noncentral t gives NaN for it; that region is then negligible and the power is the upper region's.
    """
    from statsmodels.stats.power import TTestIndPower

    solver = TTestIndPower()
    power = float(solver.power(effect_size=d, nobs1=n, alpha=alpha, alternative="two-sided"))
    if math.isfinite(power):
        return power
    return float(solver.power(effect_size=d, nobs1=n, alpha=alpha / 2, alternative="larger"))


def _smallest_n(d: float, alpha: float, power: float) -> int:
    """The smallest whole n per arm (>= 2) whose exact power reaches ``power``.

    The search starts at the normal-approximation n, ``2 ((z_(1 - alpha/2) + z_power) / d)^2``, within a few
    animals of the exact one, and steps to it.
    """
    z = NormalDist()
    approximate = 2 * ((z.inv_cdf(1 - alpha / 2) + z.inv_cdf(power)) / d) ** 2
    n = max(MINIMUM_N_PER_ARM, math.ceil(approximate))
    while _power(d, n, alpha) < power:
        n += 1
    while n > MINIMUM_N_PER_ARM and _power(d, n - 1, alpha) >= power:
        n -= 1
    return n


def sample_size(
    smallest_effect_d: float, *, n_arms: int = 2, alpha: float = 0.05, power: float = 0.8
) -> SampleSize:
    """Animals per arm for a two-sided t-test of each arm against the reference to reach ``power``.

    Parameters
    ----------
    smallest_effect_d
        The smallest effect of interest as Cohen's d (mean difference / common SD, unitless), > 0.
    n_arms
        The number of arms including the reference; each of the other ``n_arms - 1`` is compared with it.
    alpha
        The two-sided familywise type I error rate, in (0, 0.5]; split over the comparisons (Bonferroni).
    power
        The wanted probability of detecting ``smallest_effect_d`` in each comparison, in [0.5, 0.99].

    Returns
    -------
    SampleSize
        Animals per arm (rounded up, at least 2) and in total, the power achieved at that n, the method, and
        every input (with the comparisons, the per-comparison alpha and the adjustment), JSON-ready.

    Raises
    ------
    AnalysisError
        An input outside the accepted range; the message names each such field and its range.

    Notes
    -----
    See the module notes: statsmodels ``TTestIndPower`` (noncentral t), Bonferroni over k - 1 comparisons.
    """
    problems = input_problems(smallest_effect_d, n_arms, alpha, power)
    if problems:
        raise AnalysisError("; ".join(f"{name}: {problem}" for name, problem in problems.items()))
    comparisons = n_arms - 1
    alpha_per_comparison = alpha / comparisons
    n_per_arm = _smallest_n(smallest_effect_d, alpha_per_comparison, power)
    return SampleSize(
        n_per_arm=n_per_arm,
        n_total=n_per_arm * n_arms,
        achieved_power=_power(smallest_effect_d, n_per_arm, alpha_per_comparison),
        method=TWO_ARM_METHOD if n_arms == 2 else K_ARM_METHOD.format(comparisons=comparisons),
        inputs={
            "effect_size_d": float(smallest_effect_d),
            "alpha": float(alpha),
            "power": float(power),
            "n_arms": n_arms,
            "comparisons": comparisons,
            "alpha_per_comparison": alpha_per_comparison,
            "adjustment": "none" if comparisons == 1 else "Bonferroni",
            "alternative": "two-sided",
        },
    )
