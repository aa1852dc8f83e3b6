"""One outcome across k arms with one reference arm: the omnibus tests, Dunnett's comparisons, a dose trend.

Every difference is an arm minus the reference arm. All tests are computed and reported together; the
caller names the pre-declared primary one, and no assumption check ever chooses or replaces a test.

Notes
-----
- Welch's one-way ANOVA (Welch 1951, Biometrika 38:330; statsmodels ``anova_oneway``, ``use_var="unequal"``)
  does not assume equal variances.
- Dunnett's comparisons of each arm with the reference (Dunnett 1955, JASA 50:1096; ``scipy.stats.dunnett``)
  use the pooled within-arm variance and the multivariate t distribution, so the p-values and the
  simultaneous confidence intervals of the mean differences hold for the family of k - 1 comparisons. SciPy
  integrates that distribution by randomized quasi-Monte Carlo; a fixed seed makes the result repeatable.
- The trend test for ordered doses is a linear contrast ``L = sum(c_i * mean_i)`` with coefficients
  ``c_i = score_i - mean(scores)`` from pre-declared scores (e.g. the dose ranks 0, 1, 2, 3, which give the
  orthogonal-polynomial coefficients -3, -1, 1, 3 up to scale; Maxwell & Delaney 2004, Designing Experiments
  and Analyzing Data, ch. 6). By default its standard error uses each arm's own variance,
  ``sqrt(sum(c_i^2 s_i^2 / n_i))``, with Welch-Satterthwaite degrees of freedom; ``pooled`` uses the pooled
  variance with N - k degrees of freedom (the OLS contrast).
- Kruskal-Wallis (Kruskal & Wallis 1952, JASA 47:583) is the rank alternative, always reported beside the
  others, never substituted for them.
- Effect size per comparison: Hedges' g of the arm against the reference with its noncentral-t 95% CI (see
  :mod:`analysis.comparisons`).
- Assumption checks: Shapiro-Wilk per arm and on the residuals (each value minus its arm's mean), and
  Levene's test centred on the median (Brown & Forsythe 1974) for equal variances; reported only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

from analysis.comparisons import compare_two_arms, omnibus_tests
from analysis.errors import AnalysisError
from analysis.jsonready import JsonReady
from analysis.summaries import (
    NAN,
    AssumptionChecks,
    NormalityCheck,
    as_values,
    check_assumptions,
    shapiro_wilk,
    software_versions,
)

#: The tests a caller may pre-declare as primary.
PRIMARY_TESTS = ("welch_anova", "dunnett", "trend", "kruskal_wallis")
PrimaryTest = Literal["welch_anova", "dunnett", "trend", "kruskal_wallis"]
TrendVariance = Literal["welch", "pooled"]
#: The seed of SciPy's quasi-Monte Carlo integration in Dunnett's test, so a report repeats exactly.
DUNNETT_SEED = 20_260_101
ARMS_METHOD = (
    "Arms against {reference}: Welch's one-way ANOVA (Welch 1951); Dunnett's comparisons with "
    "simultaneous {level:g}% CIs of the mean differences (Dunnett 1955, pooled variance, SciPy); "
    "{trend}Kruskal-Wallis test (Kruskal & Wallis 1952) as the rank alternative; Hedges' g per comparison "
    "with its noncentral-t CI. "
    "Pre-declared primary test: {primary}; every other test is reported as secondary."
)
TREND_METHOD = {
    "welch": "linear trend contrast over the dose scores (Welch-Satterthwaite df); ",
    "pooled": "linear trend contrast over the dose scores (pooled variance, N - k df); ",
}


@dataclass(frozen=True)
class OmnibusTest(JsonReady):
    """A test over all arms: statistic, (numerator, denominator) df (denominator NaN for a chi-square), p."""

    name: str
    statistic: float
    df: tuple[float, float]
    p: float
    note: str = ""


@dataclass(frozen=True)
class DunnettComparison(JsonReady):
    """One arm against the reference: mean difference with its simultaneous CI, Dunnett's p, Hedges' g."""

    arm: str
    reference: str
    n_arm: int
    n_reference: int
    mean_difference: float
    mean_difference_ci: tuple[float, float]
    statistic: float
    p: float
    hedges_g: float
    hedges_g_ci: tuple[float, float]


@dataclass(frozen=True)
class TrendTest(JsonReady):
    """The linear contrast over ordered doses: estimate (outcome's unit), SE, t, df, p and CI."""

    coefficients: tuple[tuple[str, float], ...]
    variance: TrendVariance
    estimate: float
    se: float
    t: float
    df: float
    p: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class ArmsAssumptions(JsonReady):
    """Shapiro-Wilk per arm and Brown-Forsythe across arms, and Shapiro-Wilk of the residuals."""

    per_arm: AssumptionChecks
    residuals: NormalityCheck


@dataclass(frozen=True)
class ArmsAnalysis(JsonReady):
    """Every test of one outcome across k arms, the pre-declared primary one named, and their checks."""

    reference: str
    arms: tuple[str, ...]
    primary: PrimaryTest
    welch_anova: OmnibusTest
    dunnett: tuple[DunnettComparison, ...]
    trend: TrendTest | None
    kruskal_wallis: OmnibusTest
    assumptions: ArmsAssumptions
    confidence: float
    notes: tuple[str, ...]
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


def dunnett_comparisons(
    groups: Mapping[str, np.ndarray], reference: str, confidence: float
) -> tuple[tuple[DunnettComparison, ...], tuple[str, ...]]:
    """Each arm against ``reference`` by Dunnett's test, with Hedges' g; NaN and a note if it cannot run."""
    others = [arm for arm in groups if arm != reference]
    y = groups[reference]
    statistic = p = np.full(len(others), NAN)
    low = high = np.full(len(others), NAN)
    notes: tuple[str, ...] = ()
    if min(x.size for x in groups.values()) < 2:
        notes = ("an arm has n < 2: no Dunnett's test",)
    elif all(np.ptp(x) == 0 for x in groups.values()):
        notes = ("no arm varies: no Dunnett's test",)
    else:
        result = stats.dunnett(
            *(groups[arm] for arm in others), control=y, random_state=np.random.default_rng(DUNNETT_SEED)
        )
        statistic, p = np.asarray(result.statistic), np.asarray(result.pvalue)
        interval = result.confidence_interval(confidence_level=confidence)
        low, high = np.asarray(interval.low), np.asarray(interval.high)
    comparisons = []
    for index, arm in enumerate(others):
        pair = compare_two_arms(arm, groups[arm], reference, y, confidence=confidence)
        comparisons.append(
            DunnettComparison(
                arm=arm,
                reference=reference,
                n_arm=pair.n_arm,
                n_reference=pair.n_reference,
                mean_difference=pair.mean_difference,
                mean_difference_ci=(float(low[index]), float(high[index])),
                statistic=float(statistic[index]),
                p=float(p[index]),
                hedges_g=pair.hedges_g,
                hedges_g_ci=pair.hedges_g_ci,
            )
        )
    return tuple(comparisons), notes


def trend_test(
    groups: Mapping[str, np.ndarray],
    scores: Mapping[str, float],
    *,
    variance: TrendVariance = "welch",
    confidence: float = 0.95,
) -> TrendTest:
    """The linear contrast of the arm means over pre-declared dose scores (centred to sum to zero).

    Parameters
    ----------
    groups
        Arm name -> one value per experimental unit (outcome's unit), NaN already dropped, n >= 2 each.
    scores
        Arm name -> its position on the dose axis (the dose, or its rank 0, 1, 2, ...), one per arm.
    variance
        ``"welch"``: each arm's own variance, Welch-Satterthwaite df; ``"pooled"``: pooled variance, N - k df.
    confidence
        The confidence level of the contrast's interval, as a fraction.

    Returns
    -------
    TrendTest
        The coefficients used, the contrast (outcome's unit per unit of score, times the scores' spread), its
        SE, t, df, two-sided p and CI.

    Raises
    ------
    AnalysisError
        The scores do not name exactly the arms, or are all equal.
    """
    if set(scores) != set(groups):
        raise AnalysisError(f"trend scores must name every arm {sorted(groups)} once, got {sorted(scores)}")
    centre = sum(scores.values()) / len(scores)
    c = np.array([float(scores[arm]) - centre for arm in groups])
    if not np.any(c):
        raise AnalysisError("trend scores are all equal: a trend needs at least two different doses")
    n = np.array([x.size for x in groups.values()], dtype=float)
    means = np.array([x.mean() for x in groups.values()])
    variances = np.array([x.var(ddof=1) for x in groups.values()])
    if variance == "pooled":
        df = float(n.sum() - n.size)
        se = math.sqrt(float(((n - 1) * variances).sum()) / df * float((c**2 / n).sum()))
    else:
        parts = c**2 * variances / n
        se = math.sqrt(float(parts.sum()))
        df = float(parts.sum() ** 2 / (parts**2 / (n - 1)).sum())
    estimate = float(c @ means)
    t = estimate / se if se > 0 else NAN
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return TrendTest(
        coefficients=tuple((arm, float(value)) for arm, value in zip(groups, c, strict=True)),
        variance=variance,
        estimate=estimate,
        se=se,
        t=t,
        df=df,
        p=float(2 * stats.t.sf(abs(t), df)) if math.isfinite(t) else NAN,
        ci=(estimate - half, estimate + half),
    )


def _residual_normality(groups: Mapping[str, np.ndarray]) -> NormalityCheck:
    """Shapiro-Wilk of every value minus its arm's mean (the one-way model's residuals)."""
    residuals = np.concatenate([x - x.mean() for x in groups.values() if x.size])
    return shapiro_wilk("residuals", residuals)


def _check_design(
    arrays: Mapping[str, np.ndarray], reference: str, primary: str, trend_scores: Mapping[str, float] | None
) -> None:
    """Raise AnalysisError for a reference not among the arms, fewer than 3 arms, or an unknown primary."""
    if reference not in arrays:
        raise AnalysisError(f"the reference arm {reference!r} is not among the arms {sorted(arrays)}")
    if len(arrays) < 3:
        raise AnalysisError(
            f"analyse_arms needs three or more arms, got {len(arrays)}; compare_two_arms compares two"
        )
    if primary not in PRIMARY_TESTS:
        raise AnalysisError(f"primary must be one of {list(PRIMARY_TESTS)}, got {primary!r}")
    if primary == "trend" and trend_scores is None:
        raise AnalysisError("primary 'trend' needs trend_scores: the dose score of every arm")


def analyse_arms(
    groups: Mapping[str, Sequence[float] | np.ndarray],
    reference: str,
    *,
    primary: PrimaryTest,
    trend_scores: Mapping[str, float] | None = None,
    trend_variance: TrendVariance = "welch",
    confidence: float = 0.95,
) -> ArmsAnalysis:
    """Welch's ANOVA, Dunnett's comparisons, the dose trend and Kruskal-Wallis of one outcome over k arms.

    Parameters
    ----------
    groups
        Three or more arms: arm name -> one value per experimental unit, in the outcome's unit (e.g. seconds
        of immobility); NaN values are dropped.
    reference
        The reference arm (vehicle or active placebo), one of `groups`; differences are arm minus it.
    primary
        The pre-declared primary test, one of `PRIMARY_TESTS`; all are computed, this one is named primary.
    trend_scores
        Arm name -> dose score (the dose in mg/kg or its rank) for the trend test; None for no trend test.
    trend_variance
        ``"welch"`` (default) or ``"pooled"``: the variance behind the trend contrast's SE and df.
    confidence
        The confidence level of every interval, as a fraction (0.95 for 95 percent).

    Returns
    -------
    ArmsAnalysis
        Every test, the assumption checks, notes where a test could not run, and the method text.

    Raises
    ------
    AnalysisError
        Fewer than three arms, an unknown reference or primary test, bad trend scores, an infinite value.
    """
    arrays = {name: as_values(values) for name, values in groups.items()}
    _check_design(arrays, reference, primary, trend_scores)
    ordered = {reference: arrays[reference]} | {k: v for k, v in arrays.items() if k != reference}
    _, welch, kruskal, omnibus_notes = omnibus_tests(list(ordered.values()))
    dunnett, dunnett_notes = dunnett_comparisons(ordered, reference, confidence)
    notes = [*omnibus_notes, *dunnett_notes]
    trend = None
    if trend_scores is not None and min(x.size for x in ordered.values()) >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            trend = trend_test(ordered, trend_scores, variance=trend_variance, confidence=confidence)
    elif trend_scores is not None:
        notes.append("an arm has n < 2: no trend test")
    return ArmsAnalysis(
        reference=reference,
        arms=tuple(ordered),
        primary=primary,
        welch_anova=OmnibusTest("Welch's ANOVA", welch[0], welch[1], welch[2]),
        dunnett=dunnett,
        trend=trend,
        kruskal_wallis=OmnibusTest("Kruskal-Wallis", kruskal[0], (float(kruskal[1]), NAN), kruskal[2]),
        assumptions=ArmsAssumptions(check_assumptions(ordered), _residual_normality(ordered)),
        confidence=confidence,
        notes=tuple(notes),
        method=ARMS_METHOD.format(
            reference=reference,
            level=confidence * 100,
            trend=TREND_METHOD[trend_variance] if trend_scores is not None else "",
            primary=primary,
        ),
    )
