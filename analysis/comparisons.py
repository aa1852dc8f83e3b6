"""Comparing arms: a treated arm against the reference (vehicle) arm, and several arms at once.

Every difference is the treated arm minus the reference arm, so a drug that lowers immobility has a negative
mean difference and a negative Hedges' g.

Notes
-----
- Welch's t-test (Welch 1947, Biometrika 34:28) does not assume equal variances; its degrees of freedom are
  the Welch-Satterthwaite ones, and the 95% CI of the mean difference uses the same standard error and df.
- The Mann-Whitney U test (two-sided) is exact when there are no ties and normal-approximated, with tie and
  continuity corrections, otherwise. U is the treated arm's statistic.
- Hedges' g is Cohen's d (mean difference / pooled SD) times the exact small-sample correction
  ``J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``, ``m = n1 + n2 - 2`` (Hedges 1981; Hedges & Olkin 1985,
  Statistical Methods for Meta-Analysis, ch. 5). Its 95% CI inverts the noncentral t distribution of the
  two-sample t statistic (Steiger & Fouladi 1997; Cumming & Finch 2001, Educ Psychol Meas 61:532): the
  noncentrality parameters whose t distributions put the observed t at their 97.5th and 2.5th percentiles
  give the limits for d, which are multiplied by J. This is exact under normality with equal variances and,
  unlike the normal approximation, keeps its coverage at the small n of animal studies.
- With more than two arms: the classic one-way ANOVA, Welch's ANOVA (Welch 1951, Biometrika 38:330) and the
  Kruskal-Wallis test, then each treated arm against the reference by the two-arm comparison above, with the
  Welch and Mann-Whitney p-values each adjusted by Holm's step-down method (Holm 1979, Scand J Stat 6:65).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.oneway import anova_oneway

from analysis.errors import AnalysisError
from analysis.jsonready import JsonReady
from analysis.summaries import NAN, as_values, software_versions

#: An omnibus test's statistic, its (numerator, denominator) degrees of freedom and its p-value.
Omnibus = tuple[float, tuple[float, float], float]
#: Welch's t, its degrees of freedom, its p-value and the confidence interval of the mean difference.
WelchTest = tuple[float, float, float, tuple[float, float]]

TWO_ARM_METHOD = (
    "{arm} minus {reference}. Welch's t-test (Welch 1947) and the mean difference with its Welch "
    "{level:g}% CI; Mann-Whitney U test, two-sided ({mwu}); Hedges' g (pooled SD, exact small-sample "
    "correction J; Hedges & Olkin 1985) with a {level:g}% CI from the noncentral t distribution "
    "(Steiger & Fouladi 1997), the limits for d multiplied by J."
)
MULTI_ARM_METHOD = (
    "All arms: one-way ANOVA, Welch's ANOVA (Welch 1951) and Kruskal-Wallis test. Each arm against "
    "{reference}: Welch's t-test and Mann-Whitney U test, p-values Holm-adjusted (Holm 1979) within each "
    "test over the {k} comparisons; Hedges' g with its noncentral-t CI."
)


def hedges_correction(df: float) -> float:
    """Hedges' exact small-sample correction J for ``df = n1 + n2 - 2`` degrees of freedom."""
    if df <= 1:
        return NAN
    return math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)


def _noncentrality_at(t_observed: float, df: float, probability: float) -> float:
    """The noncentrality whose t distribution has ``probability`` below ``t_observed`` (Brent's method)."""

    def excess(ncp: float) -> float:
        return float(stats.nct.cdf(t_observed, df, ncp)) - probability

    low, high, width = t_observed - 1.0, t_observed + 1.0, 2.0
    for _ in range(60):
        if excess(low) > 0 > excess(high):
            return float(optimize.brentq(excess, low, high, xtol=1e-10))
        low, high, width = low - width, high + width, width * 2
    return NAN


def hedges_g_interval(g: float, n1: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence limits of Hedges' g by inverting the noncentral t distribution (limits of d times J)."""
    df = n1 + n2 - 2
    j = hedges_correction(df)
    if not (math.isfinite(g) and math.isfinite(j)):
        return NAN, NAN
    scale = math.sqrt(1 / n1 + 1 / n2)
    t_observed = g / j / scale
    alpha = 1 - confidence
    low = _noncentrality_at(t_observed, df, 1 - alpha / 2)
    high = _noncentrality_at(t_observed, df, alpha / 2)
    return low * scale * j, high * scale * j


@dataclass(frozen=True)
class TwoArmComparison(JsonReady):
    """One arm against the reference arm: Welch's t, Mann-Whitney U, Hedges' g, each with what it needs."""

    arm: str
    reference: str
    n_arm: int
    n_reference: int
    mean_difference: float
    mean_difference_ci: tuple[float, float]
    welch_t: float
    welch_df: float
    welch_p: float
    mann_whitney_u: float
    mann_whitney_p: float
    mann_whitney_exact: bool
    hedges_g: float
    hedges_g_ci: tuple[float, float]
    confidence: float
    notes: tuple[str, ...]
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


def _welch(x: np.ndarray, y: np.ndarray, confidence: float) -> WelchTest:
    """Welch's t, df, p and the CI of the mean difference (SciPy; a zero-variance arm is allowed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_ind(x, y, equal_var=False)
        low, high = result.confidence_interval(confidence)
    return float(result.statistic), float(result.df), float(result.pvalue), (float(low), float(high))


def _hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    """Hedges' g of x minus y: mean difference over the pooled SD, times J."""
    n1, n2 = x.size, y.size
    pooled_sd = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    return hedges_correction(n1 + n2 - 2) * float(x.mean() - y.mean()) / pooled_sd


def _mann_whitney(x: np.ndarray, y: np.ndarray) -> tuple[float, float, bool]:
    """U of x, the two-sided p, and whether the p is exact (no ties) rather than normal-approximated."""
    exact = len(np.unique(np.concatenate([x, y]))) == x.size + y.size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact" if exact else "asymptotic")
    return float(result.statistic), float(result.pvalue), exact


@dataclass(frozen=True)
class _TwoSampleTests:
    """Welch's t (t, df, p, CI), Mann-Whitney (U, p, exact), Hedges' g and its CI, and why any is NaN."""

    welch: WelchTest = (NAN, NAN, NAN, (NAN, NAN))
    mann_whitney: tuple[float, float, bool] = (NAN, NAN, False)
    hedges_g: float = NAN
    hedges_g_ci: tuple[float, float] = (NAN, NAN)
    notes: tuple[str, ...] = ()


def _two_sample_tests(
    arm: str, x: np.ndarray, reference: str, y: np.ndarray, confidence: float
) -> _TwoSampleTests:
    """The tests of `x` against `y`, each NaN with a note where n or the variance is too small for it."""
    if min(x.size, y.size) < 2:
        return _TwoSampleTests(
            notes=(f"n = {x.size} ({arm}) and {y.size} ({reference}): every test needs n >= 2 per arm",)
        )
    notes: list[str] = []
    welch: WelchTest = (NAN, NAN, NAN, (NAN, NAN))
    g, g_ci = NAN, (NAN, NAN)
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        notes.append("no variance in either arm: no t-test and no effect size")
    else:
        welch = _welch(x, y, confidence)
        g = _hedges_g(x, y)
        g_ci = hedges_g_interval(g, int(x.size), int(y.size), confidence)
        if not all(math.isfinite(limit) for limit in g_ci):
            notes.append("the noncentral-t limits of Hedges' g could not be found at this t")
    mann_whitney = _mann_whitney(x, y)
    if np.ptp(np.concatenate([x, y])) == 0:
        notes.append("every value tied: the Mann-Whitney test has nothing to rank")
    return _TwoSampleTests(welch, mann_whitney, g, (float(g_ci[0]), float(g_ci[1])), tuple(notes))


def compare_two_arms(
    arm: str,
    values: Sequence[float] | np.ndarray,
    reference: str,
    reference_values: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
) -> TwoArmComparison:
    """Compare ``arm`` with ``reference`` (arm minus it); NaN with a note where n or variance is too small.

    Parameters
    ----------
    arm, reference
        The names of the treated and the reference (vehicle) arm.
    values, reference_values
        One value per experimental unit of each arm, in the outcome's unit (e.g. seconds of immobility,
        percent sucrose preference); missing values (NaN) are dropped.
    confidence
        The confidence level of every interval, as a fraction (0.95 for 95 percent).

    Returns
    -------
    TwoArmComparison
        The mean difference (outcome's unit) with its Welch CI, Welch's t, the Mann-Whitney U and Hedges' g
        (unitless) with its CI, and a note for each statistic that could not be computed.

    Raises
    ------
    AnalysisError
        A value is infinite.
    """
    x, y = as_values(values), as_values(reference_values)
    n1, n2 = int(x.size), int(y.size)
    tests = _two_sample_tests(arm, x, reference, y, confidence)
    t, df, p, mean_difference_ci = tests.welch
    u, u_p, exact = tests.mann_whitney
    mwu_text = "exact" if exact else "normal approximation with tie and continuity corrections"
    return TwoArmComparison(
        arm=arm,
        reference=reference,
        n_arm=n1,
        n_reference=n2,
        mean_difference=float(x.mean() - y.mean()) if n1 and n2 else NAN,
        mean_difference_ci=mean_difference_ci,
        welch_t=t,
        welch_df=df,
        welch_p=p,
        mann_whitney_u=u,
        mann_whitney_p=u_p,
        mann_whitney_exact=exact,
        hedges_g=tests.hedges_g,
        hedges_g_ci=tests.hedges_g_ci,
        confidence=confidence,
        notes=tests.notes,
        method=TWO_ARM_METHOD.format(arm=arm, reference=reference, level=confidence * 100, mwu=mwu_text),
    )


def holm(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm-adjusted p-values; NaN entries stay NaN and do not count as comparisons."""
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full(p.shape, NAN)
    finite = np.isfinite(p)
    if finite.any():
        adjusted[finite] = multipletests(p[finite], method="holm")[1]
    return tuple(float(value) for value in adjusted)


@dataclass(frozen=True)
class VersusReference(JsonReady):
    """One arm against the reference, with the Holm-adjusted Welch and Mann-Whitney p-values."""

    comparison: TwoArmComparison
    welch_p_holm: float
    mann_whitney_p_holm: float


@dataclass(frozen=True)
class MultiArmComparison(JsonReady):
    """Several arms: one-way and Welch's ANOVA, Kruskal-Wallis, and Holm-adjusted tests against reference."""

    reference: str
    anova_f: float
    anova_df: tuple[float, float]
    anova_p: float
    welch_f: float
    welch_df: tuple[float, float]
    welch_p: float
    kruskal_h: float
    kruskal_df: int
    kruskal_p: float
    versus_reference: tuple[VersusReference, ...]
    notes: tuple[str, ...]
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


def omnibus_tests(
    samples: list[np.ndarray],
) -> tuple[Omnibus, Omnibus, tuple[float, int, float], tuple[str, ...]]:
    """One-way ANOVA, Welch's ANOVA and Kruskal-Wallis over all arms; NaN with a note where one cannot run."""
    anova: Omnibus = (NAN, (NAN, NAN), NAN)
    welch: Omnibus = (NAN, (NAN, NAN), NAN)
    kruskal = (NAN, len(samples) - 1, NAN)
    if min(x.size for x in samples) < 2:
        return anova, welch, kruskal, ("an arm has n < 2: no omnibus test",)
    if all(np.ptp(x) == 0 for x in samples):
        return anova, welch, kruskal, ("no arm varies: no omnibus test",)
    notes: tuple[str, ...] = ()
    n_total, k = sum(x.size for x in samples), len(samples)
    classic = stats.f_oneway(*samples)
    anova = (float(classic.statistic), (float(k - 1), float(n_total - k)), float(classic.pvalue))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        unequal = anova_oneway(samples, use_var="unequal", welch_correction=True)
    welch = (
        float(unequal.statistic),
        (float(unequal.df_num), float(unequal.df_denom)),
        float(unequal.pvalue),
    )
    if not math.isfinite(welch[0]):
        notes = ("an arm has zero variance: no Welch's ANOVA",)
    ranks = stats.kruskal(*samples)
    return anova, welch, (float(ranks.statistic), k - 1, float(ranks.pvalue)), notes


def compare_arms(
    groups: Mapping[str, Sequence[float] | np.ndarray], reference: str, *, confidence: float = 0.95
) -> MultiArmComparison:
    """Omnibus tests over all arms and each arm against ``reference`` with Holm-adjusted p-values.

    Parameters
    ----------
    groups
        Three or more arms: arm name -> one value per experimental unit, in the outcome's unit (e.g.
        seconds, percent); missing values (NaN) are dropped.
    reference
        The reference (vehicle) arm, one of `groups`.
    confidence
        The confidence level of the intervals of each pair, as a fraction (0.95 for 95 percent).

    Returns
    -------
    MultiArmComparison
        The one-way and Welch's ANOVA, the Kruskal-Wallis test, and each arm against the reference (see
        `compare_two_arms`) with its Holm-adjusted p-values.

    Raises
    ------
    AnalysisError
        The reference is not among the arms, or a value is infinite.
    ValueError
        There are fewer than three arms (`compare_two_arms` compares two).
    """
    if reference not in groups:
        raise AnalysisError(f"the reference arm {reference!r} is not among the arms {sorted(groups)}")
    arrays = {name: as_values(values) for name, values in groups.items()}
    if len(arrays) < 3:
        raise ValueError(f"compare_arms is for three or more arms, got {len(arrays)}; use compare_two_arms")
    anova, welch, kruskal, notes = omnibus_tests(list(arrays.values()))
    pairs = [
        compare_two_arms(name, x, reference, arrays[reference], confidence=confidence)
        for name, x in arrays.items()
        if name != reference
    ]
    welch_holm = holm([pair.welch_p for pair in pairs])
    mwu_holm = holm([pair.mann_whitney_p for pair in pairs])
    return MultiArmComparison(
        reference=reference,
        anova_f=anova[0],
        anova_df=anova[1],
        anova_p=anova[2],
        welch_f=welch[0],
        welch_df=welch[1],
        welch_p=welch[2],
        kruskal_h=kruskal[0],
        kruskal_df=kruskal[1],
        kruskal_p=kruskal[2],
        versus_reference=tuple(
            VersusReference(pair, w, m) for pair, w, m in zip(pairs, welch_holm, mwu_holm, strict=True)
        ),
        notes=notes,
        method=MULTI_ARM_METHOD.format(reference=reference, k=len(pairs)),
    )
