"""The declared k-arm contrasts on the cohort block model: each arm with the reference, and the dose trend.

Input is a tidy table, one row per experimental unit: ``arm``, ``cohort`` and ``value``.

Notes
-----
- The model is :mod:`analysis.blocks`' fixed block, ordinary least squares ``value ~ arm + cohort``
  (treatment coding, the reference arm and the first cohort as baselines), so every contrast is estimated
  within cohorts (Festing & Altman 2002, ILAR J 43:244) and tested by t on the residual df
  (statsmodels ``t_test``).
- Each arm minus the reference is its treatment-coded coefficient. Dunnett's multivariate-t adjustment
  (Dunnett 1955) is available in SciPy only for one-way data, not for a model's coefficients, so the k - 1
  p-values are adjusted by Holm's step-down method (Holm 1979, Scand J Stat 6:65; valid under any
  dependence, more conservative than Dunnett's) and the intervals are Bonferroni-simultaneous.
- The dose trend is the linear contrast of the cohort-adjusted arm means with coefficients
  ``c_i = score_i - mean(scores)``; as the ``c_i`` sum to zero the intercept and cohort terms cancel and
  the contrast is ``sum(c_i * beta_i)`` over the arms' coefficients (the reference's is 0).
- An arm confounded with its cohort (found only in cohorts without the reference or an arm linked to it)
  gives a note naming it and no contrast (:func:`analysis.blocks.block_model`).
- The model's residuals are checked by Shapiro-Wilk, reported only; nothing here chooses a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from analysis.blocks import block_model
from analysis.errors import AnalysisError
from analysis.factorial import NOT_FITTED, design_frame
from analysis.jsonready import JsonReady
from analysis.summaries import NormalityCheck, shapiro_wilk, software_versions

BlockPrimary = Literal["dunnett", "trend"]
#: How the arms' p-values are adjusted over the comparisons with the reference (statsmodels' name).
ADJUSTMENT = "holm"
BLOCK_CONTRASTS_METHOD = (
    "Arms against {reference} with the cohort as an additive fixed block: OLS value ~ arm + cohort; each arm "
    "minus the reference by t on the residual df, p-values Holm-adjusted over the {m} comparisons and "
    "Bonferroni-simultaneous {level:g}% CIs (Dunnett's multivariate-t adjustment is not available on a "
    "model){trend}. Pre-declared primary: {primary}."
)
TREND_TEXT = "; the linear trend contrast of the cohort-adjusted arm means over the centred doses, by t"


@dataclass(frozen=True)
class BlockContrast(JsonReady):
    """One contrast of the block model: estimate (outcome's unit), SE, t, df, p, adjusted p and CI."""

    name: str
    estimate: float
    se: float
    t: float
    df: float
    p: float
    p_adjusted: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class BlockContrasts(JsonReady):
    """Each arm with the reference (Holm-adjusted) and the declared trend, on the cohort block model."""

    reference: str
    arms: tuple[str, ...]
    cohorts: tuple[str, ...]
    n: int
    primary: BlockPrimary
    comparisons: tuple[BlockContrast, ...]
    trend: BlockContrast | None
    trend_coefficients: tuple[tuple[str, float], ...]
    adjustment: str
    residuals: NormalityCheck
    note: str
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


def _contrast(fit: Any, name: str, vector: np.ndarray, confidence: float) -> BlockContrast:
    """The t test of one linear combination of the model's coefficients, its CI at ``confidence``."""
    result = fit.t_test(vector.reshape(1, -1))
    low, high = np.asarray(result.conf_int(alpha=1 - confidence))[0]
    p = float(np.asarray(result.pvalue).ravel()[0])
    return BlockContrast(
        name=name,
        estimate=float(np.asarray(result.effect).ravel()[0]),
        se=float(np.asarray(result.sd).ravel()[0]),
        t=float(np.asarray(result.tvalue).ravel()[0]),
        df=float(result.df_denom),
        p=p,
        p_adjusted=p,
        ci=(float(low), float(high)),
    )


def _coefficient_vector(names: list[str], weights: Mapping[str, float]) -> np.ndarray:
    """A contrast over the named coefficients: each name's weight, 0 elsewhere."""
    return np.array([weights.get(name, 0.0) for name in names])


def block_contrasts(
    table: pd.DataFrame,
    reference: str,
    *,
    primary: BlockPrimary,
    trend_scores: Mapping[str, float] | None = None,
    confidence: float = 0.95,
) -> BlockContrasts:
    """Each arm against ``reference`` and the dose trend, pooled over cohorts with the cohort as a block.

    Parameters
    ----------
    table
        One row per experimental unit: ``arm``, ``cohort`` and ``value`` (the outcome's unit).
    reference
        The reference arm; each comparison is another arm minus it.
    primary
        The pre-declared primary: ``"dunnett"`` (the comparisons) or ``"trend"``; both are reported.
    trend_scores
        Arm name -> dose (or rank) for the trend contrast; None for no trend. Required for ``"trend"``.
    confidence
        The family-wise confidence of the comparisons' intervals, and the trend's, as a fraction.

    Returns
    -------
    BlockContrasts
        The comparisons with raw and Holm-adjusted p, the trend, the residuals' check, or a note if the
        model has no residual degrees of freedom or an arm is confounded with its cohort.

    Raises
    ------
    AnalysisError
        A missing column or value, a reference without values, a trend primary without scores, or trend
        scores that do not name every arm or are all equal.
    """
    frame = design_frame(table, ("arm", "cohort"), {"arm": reference})
    arms = tuple(str(arm) for arm in frame["arm"].cat.categories)
    cohorts = tuple(str(cohort) for cohort in frame["cohort"].cat.categories)
    if reference not in arms:
        raise AnalysisError(f"the reference arm {reference!r} has no values among the arms {list(arms)}")
    if primary == "trend" and trend_scores is None:
        raise AnalysisError("a trend primary needs trend_scores: the dose of every arm")
    coefficients = _trend_coefficients(arms, trend_scores)
    others = [arm for arm in arms if arm != reference]
    method = _method(reference, len(others), confidence, bool(coefficients), primary)
    empty = BlockContrasts(
        reference,
        arms,
        cohorts,
        len(frame),
        primary,
        (),
        None,
        coefficients,
        ADJUSTMENT,
        NOT_FITTED,
        "",
        method,
    )
    if len(others) < 1 or len(cohorts) < 2:
        return replace(empty, note="needs two arms and two cohorts")
    if len(frame) - len(arms) - len(cohorts) + 1 < 1:
        return replace(empty, note="no residual degrees of freedom")
    model, confounded = block_model(frame)
    if confounded:
        return replace(empty, note=confounded)
    fit = model.fit()
    names = list(fit.params.index)
    family = 1 - (1 - confidence) / len(others)
    raw = [
        _contrast(fit, f"{arm} - {reference}", _coefficient_vector(names, {f"C(arm)[T.{arm}]": 1.0}), family)
        for arm in others
    ]
    adjusted = multipletests([c.p for c in raw], method=ADJUSTMENT)[1]
    comparisons = tuple(
        replace(contrast, p_adjusted=float(p)) for contrast, p in zip(raw, adjusted, strict=True)
    )
    trend = None
    if coefficients:
        weights = {f"C(arm)[T.{arm}]": c for arm, c in coefficients if arm != reference}
        trend = _contrast(fit, "linear trend", _coefficient_vector(names, weights), confidence)
    residuals = shapiro_wilk("residuals", np.asarray(fit.resid))
    return BlockContrasts(
        reference, arms, cohorts, len(frame), primary, comparisons, trend, coefficients, ADJUSTMENT,
        residuals, "", method,
    )  # fmt: skip


def _method(reference: str, m: int, confidence: float, trend: bool, primary: BlockPrimary) -> str:
    """The method text: the model, the adjustment over the ``m`` comparisons, the trend and the primary."""
    return BLOCK_CONTRASTS_METHOD.format(
        reference=reference,
        m=m,
        level=confidence * 100,
        trend=TREND_TEXT if trend else "",
        primary="the linear trend" if primary == "trend" else "the comparisons with the reference",
    )


def _trend_coefficients(
    arms: tuple[str, ...], scores: Mapping[str, float] | None
) -> tuple[tuple[str, float], ...]:
    """Each arm's centred dose (the trend contrast's coefficients); empty without scores."""
    if scores is None:
        return ()
    if set(scores) != set(arms):
        raise AnalysisError(f"trend scores must name every arm {sorted(arms)} once, got {sorted(scores)}")
    centre = sum(float(scores[arm]) for arm in arms) / len(arms)
    coefficients = tuple((arm, float(scores[arm]) - centre) for arm in arms)
    if not any(c for _, c in coefficients):
        raise AnalysisError("trend scores are all equal: a trend needs at least two different doses")
    return coefficients
