"""Cohorts (batches of one study run weeks apart) pooled at analysis: each arm against the reference.

Input is a tidy table, one row per experimental unit: ``arm``, ``cohort`` and ``value``. The caller chooses
how the cohort enters, and the result states it.

Notes
-----
- ``cohort_as="block"``: ordinary least squares ``value ~ arm + cohort`` (treatment coding, the reference arm
  and the first cohort as baselines): the cohort is a fixed additive block, so each arm effect is estimated
  within cohorts and the cohort-to-cohort differences leave the error term (Festing & Altman 2002, ILAR J
  43:244). The arm and cohort terms are tested by F (Type II sums of squares); arm effects have t CIs on the
  residual df.
- ``cohort_as="random"``: a linear mixed model (statsmodels ``MixedLM``, REML) with fixed effect arm and a
  random intercept per cohort (Laird & Ware 1982, Biometrics 38:963): cohorts are a sample of possible
  batches. Arm effects have Wald z CIs and the arm term a joint Wald chi-square. With few cohorts (fewer than
  about five) the cohort variance is poorly estimated and often 0; the block is then the safer choice
  (Gelman & Hill 2007, ch. 12). Nothing switches from one to the other: the caller's choice is reported.
- With the block, an arm found only in cohorts without the reference or an arm linked to it (a later cohort
  adding a new dose alone) is confounded with its cohort: no estimate is given, a note names the arm and
  its cohorts (the design matrix is rank-deficient; statsmodels would only warn).
- The model's residuals are checked by Shapiro-Wilk, reported only.
- An arm x factor design with the cohort block is `analysis.factorial.factorial_anova` (``cohort_block``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analysis.errors import AnalysisError
from analysis.factorial import NOT_FITTED, design_frame
from analysis.jsonready import JsonReady
from analysis.mixed import TermTest, fit_reml, wald_term_test
from analysis.summaries import NAN, NormalityCheck, shapiro_wilk, software_versions

CohortAs = Literal["block", "random"]
COHORT_METHOD = {
    "block": (
        "Cohorts pooled with the cohort as an additive fixed block: OLS value ~ arm + cohort (treatment "
        "coding, reference {reference}); arm and cohort tested by F (Type II); arm effects with "
        "{level:g}% t CIs."
    ),
    "random": (
        "Cohorts pooled with the cohort as a random effect: linear mixed model (REML, statsmodels MixedLM), "
        "fixed effect arm (treatment coding, reference {reference}), random intercept per cohort; arm tested "
        "by a joint Wald chi-square; arm effects with {level:g}% Wald CIs."
    ),
}


@dataclass(frozen=True)
class ArmEffect(JsonReady):
    """One arm minus the reference, adjusted for cohort: estimate (outcome's unit), SE, t or z, df, p, CI."""

    arm: str
    reference: str
    estimate: float
    se: float
    statistic: float
    df: float
    p: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class CohortAnalysis(JsonReady):
    """Arm effects pooled over cohorts, with how the cohort entered the model (``cohort_as``) stated."""

    cohort_as: CohortAs
    reference: str
    arms: tuple[str, ...]
    cohorts: tuple[str, ...]
    n: int
    arm_effects: tuple[ArmEffect, ...]
    tests: tuple[TermTest, ...]
    cohort_variance: float
    residual_variance: float
    residuals: NormalityCheck
    note: str
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


@dataclass(frozen=True)
class _Fit:
    """What a fitted cohort model gives, or the note saying why it gave nothing."""

    effects: tuple[ArmEffect, ...] = ()
    tests: tuple[TermTest, ...] = ()
    cohort_variance: float = NAN
    residual_variance: float = NAN
    residuals: NormalityCheck = NOT_FITTED
    note: str = ""


def _residual_normality(fit: Any) -> NormalityCheck:
    """Shapiro-Wilk of a fitted model's residuals (for the mixed model, after the cohort intercepts)."""
    return shapiro_wilk("residuals", np.asarray(fit.resid))


def _effect_names(frame: pd.DataFrame) -> dict[str, str]:
    """Each non-reference arm -> the name of its treatment-coded coefficient."""
    return {str(arm): f"C(arm)[T.{arm}]" for arm in frame["arm"].cat.categories[1:]}


def block_model(frame: pd.DataFrame) -> tuple[Any, str]:
    """The OLS model ``value ~ arm + cohort`` (unfitted) and why its arm effects are not estimable, or ``""``.

    An arm's effect is estimable within cohorts only when the arm is linked to the reference through
    shared cohorts (its coefficient's unit vector lies in the row space of the design matrix). An arm
    found only in cohorts holding no such arm (a later cohort adding a new dose alone) is confounded with
    those cohorts: the design matrix is rank-deficient and any estimate is arbitrary.
    """
    model = smf.ols("value ~ C(arm) + C(cohort)", data=frame)
    exog = np.asarray(model.exog)
    rank = np.linalg.matrix_rank(exog)
    if rank == exog.shape[1]:
        return model, ""
    names = list(model.exog_names)
    confounded = [
        arm
        for arm, name in _effect_names(frame).items()
        if np.linalg.matrix_rank(np.vstack([exog, np.eye(len(names))[names.index(name)]])) > rank
    ]
    cohorts_of = frame.groupby("arm", observed=True)["cohort"].unique()
    where = [
        f"arm {arm} appears only in cohort{'s' if len(cohorts_of[arm]) > 1 else ''} "
        + ", ".join(str(cohort) for cohort in cohorts_of[arm])
        for arm in confounded
    ]
    return model, f"{'; '.join(where)}: not estimable within cohorts"


def _block_fit(frame: pd.DataFrame, reference: str, confidence: float) -> _Fit:
    """Arm effects and F tests of ``value ~ arm + cohort`` by OLS, or the note of a confounded arm."""
    model, confounded = block_model(frame)
    if confounded:
        return _Fit(note=confounded)
    fit = model.fit()
    intervals = fit.conf_int(alpha=1 - confidence)
    effects = tuple(
        ArmEffect(
            arm=arm,
            reference=reference,
            estimate=float(fit.params[name]),
            se=float(fit.bse[name]),
            statistic=float(fit.tvalues[name]),
            df=float(fit.df_resid),
            p=float(fit.pvalues[name]),
            ci=(float(intervals.loc[name, 0]), float(intervals.loc[name, 1])),
        )
        for arm, name in _effect_names(frame).items()
    )
    anova = sm.stats.anova_lm(fit, typ=2)
    tests = tuple(
        TermTest(
            term,
            "F",
            float(anova.loc[row, "F"]),
            (float(anova.loc[row, "df"]), float(fit.df_resid)),
            float(anova.loc[row, "PR(>F)"]),
        )
        for term, row in (("arm", "C(arm)"), ("cohort", "C(cohort)"))
    )
    return _Fit(effects, tests, NAN, float(fit.scale), _residual_normality(fit))


def _random_fit(frame: pd.DataFrame, reference: str, confidence: float) -> _Fit:
    """Arm effects and the Wald test of arm from a MixedLM with a random intercept per cohort."""
    reml = fit_reml(smf.mixedlm("value ~ C(arm)", data=frame, groups=frame["cohort"].astype(str)))
    if reml.fit is None:
        return _Fit(note=reml.failure)
    fit = reml.fit
    z = stats.norm.ppf(0.5 + confidence / 2)
    effects = []
    for arm, name in _effect_names(frame).items():
        estimate, se = float(fit.fe_params[name]), float(fit.bse_fe[name])
        effects.append(
            ArmEffect(
                arm,
                reference,
                estimate,
                se,
                estimate / se,
                NAN,
                float(2 * stats.norm.sf(abs(estimate / se))),
                (estimate - z * se, estimate + z * se),
            )
        )
    test = wald_term_test(fit, list(fit.fe_params.index), "arm", list(_effect_names(frame).values()))
    variance = float(np.asarray(fit.cov_re)[0, 0])
    return _Fit(tuple(effects), (test,), variance, float(fit.scale), _residual_normality(fit), reml.note)


def cohort_analysis(
    table: pd.DataFrame, reference: str, *, cohort_as: CohortAs, confidence: float = 0.95
) -> CohortAnalysis:
    """Each arm against ``reference`` pooled over cohorts, the cohort a fixed block or a random effect.

    Parameters
    ----------
    table
        One row per experimental unit: ``arm``, ``cohort`` and ``value`` (in the outcome's unit, e.g.
        seconds); rows without a value are dropped.
    reference
        The reference arm; each effect is another arm minus it.
    cohort_as
        ``"block"`` (an additive fixed cohort term, OLS) or ``"random"`` (a random intercept per cohort,
        MixedLM); stated in the result.
    confidence
        The confidence level of the arm effects' intervals, as a fraction.

    Returns
    -------
    CohortAnalysis
        Arm effects (outcome's unit) with CIs, the term tests, the cohort variance (random; NaN for the
        block) and the residual variance (outcome's unit squared); no effects and a note if not estimable.

    Raises
    ------
    AnalysisError
        An unknown ``cohort_as``, a missing column or value, or a reference arm without values.
    """
    if cohort_as not in COHORT_METHOD:
        raise AnalysisError(f"cohort_as must be 'block' or 'random', got {cohort_as!r}")
    frame = design_frame(table, ("arm", "cohort"), {"arm": reference})
    arms = tuple(str(arm) for arm in frame["arm"].cat.categories)
    cohorts = tuple(str(cohort) for cohort in frame["cohort"].cat.categories)
    if reference not in arms:
        raise AnalysisError(f"the reference arm {reference!r} has no values among the arms {list(arms)}")
    if len(arms) < 2 or len(cohorts) < 2:
        fit = _Fit(note="needs two arms and two cohorts")
    elif len(frame) - len(arms) - len(cohorts) + 1 < 1:
        fit = _Fit(note="no residual degrees of freedom")
    else:
        fit = (_block_fit if cohort_as == "block" else _random_fit)(frame, reference, confidence)
    return CohortAnalysis(
        cohort_as=cohort_as,
        reference=reference,
        arms=arms,
        cohorts=cohorts,
        n=len(frame),
        arm_effects=fit.effects,
        tests=fit.tests,
        cohort_variance=fit.cohort_variance,
        residual_variance=fit.residual_variance,
        residuals=fit.residuals,
        note=fit.note,
        method=COHORT_METHOD[cohort_as].format(reference=reference, level=confidence * 100),
    )
