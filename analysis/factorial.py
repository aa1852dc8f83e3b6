"""A drug x a non-randomized factor (e.g. chronic stress x drug, 2 x 2): two-way ANOVA and simple effects.

Input is a tidy table, one row per experimental unit: ``arm``, ``factor_level`` (the unit's level of the
non-randomized between-animal factor, e.g. "stress" or "control") and ``value``, plus ``cohort`` when the
cohort enters as a block.

Notes
-----
- The model is ordinary least squares with arm, factor and arm x factor (and, when asked, an additive cohort
  block: the cohort is a fixed nuisance effect, its sum of squares removed from the error). The question of a
  stress x drug design is the interaction: whether the drug's effect differs between the factor's levels
  (Nieuwenhuis et al. 2011, Nat Neurosci 14:1105), never judged by comparing p-values within levels.
- Type II sums of squares (default; statsmodels ``anova_lm(typ=2)``) test each main effect after the other
  and respect marginality (Langsrud 2003, Stat Comput 13:163). Type III (``sums_of_squares=3``) tests each
  term after all others and needs sum-to-zero contrasts, which are used for it. The interaction row is the
  same under both; the main effects differ only when cells are unbalanced.
- Partial eta squared of a term is ``SS_term / (SS_term + SS_residual)`` (Cohen 1973, Educ Psychol Meas
  33:107), from the table's own sums of squares.
- Assumption checks, reported only: Shapiro-Wilk per arm x level cell and on the model's residuals, and
  Levene's test centred on the median (Brown & Forsythe 1974) across the cells.
- Simple effects: each arm minus the reference arm within each factor level, as contrasts of the cell means
  of the same model (with the cohort block when present), so each uses the model's pooled residual variance
  and df; the t-test and CI of each are not adjusted for multiplicity (Kirk 2013, Experimental Design, ch. 9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.errors import AnalysisError
from analysis.jsonready import JsonReady
from analysis.summaries import (
    NAN,
    AssumptionChecks,
    NormalityCheck,
    check_assumptions,
    shapiro_wilk,
    software_versions,
)

SumsOfSquares = Literal[2, 3]
FACTORIAL_METHOD = (
    "Two-way ANOVA arm x {factor} with the interaction (OLS, Type {typ} sums of squares{coding}){block}; "
    "partial eta squared per term; simple effects of each arm against {reference} within each {factor} "
    "level as contrasts of the model's cell means (pooled residual variance, unadjusted {level:g}% CIs)."
)
COHORT_BLOCK_TEXT = ", cohort as an additive fixed block"
#: The residuals' check of a model that could not be fitted.
NOT_FITTED = NormalityCheck("residuals", 0, NAN, NAN, "no model fitted")
TERM_NAMES = {
    "C(arm)": "arm",
    "C(factor_level)": "factor",
    "C(arm):C(factor_level)": "arm x factor",
    "C(cohort)": "cohort",
}


@dataclass(frozen=True)
class FactorialRow(JsonReady):
    """One term of the ANOVA table with its partial eta squared (F, p and eta NaN on the residual row)."""

    term: str
    sum_sq: float
    df: float
    f: float
    p: float
    partial_eta_squared: float


@dataclass(frozen=True)
class SimpleEffect(JsonReady):
    """One arm minus the reference within one factor level: estimate (outcome's unit), SE, t, df, p, CI."""

    factor_level: str
    arm: str
    reference: str
    estimate: float
    se: float
    t: float
    df: float
    p: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class FactorialAnalysis(JsonReady):
    """The arm x factor ANOVA, simple effects and cell sizes, or a note saying why it could not be fitted."""

    factor: str
    reference: str
    arms: tuple[str, ...]
    factor_levels: tuple[str, ...]
    sums_of_squares: SumsOfSquares
    cohort: Literal["none", "block"]
    rows: tuple[FactorialRow, ...]
    simple_effects: tuple[SimpleEffect, ...]
    cells: tuple[tuple[str, str, int], ...]
    n: int
    assumptions: AssumptionChecks
    residuals: NormalityCheck
    note: str
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


def ordered_levels(values: pd.Series, first: str | None = None) -> list[str]:
    """Distinct values as text in order of first appearance, with ``first`` moved to the front if present.

    Every model of the library codes its factors in this order (the first level is the baseline).
    """
    levels = list(dict.fromkeys(values.astype(str)))
    if first in levels:
        levels.remove(first)
        levels.insert(0, first)
    return levels


def design_frame(
    table: pd.DataFrame, columns: tuple[str, ...], firsts: Mapping[str, str | None]
) -> pd.DataFrame:
    """The rows with a value, ``value`` as float and each of ``columns`` categorical, ``firsts`` first.

    Raises
    ------
    AnalysisError
        A column is missing, or a row with a value lacks one of ``columns``.
    """
    missing = [column for column in (*columns, "value") if column not in table.columns]
    if missing:
        raise AnalysisError(f"the table lacks the columns {missing}; it has {list(table.columns)}")
    data = table.loc[table["value"].notna()]
    incomplete = [column for column in columns if data[column].isna().any()]
    if incomplete:
        raise AnalysisError(f"rows with a value but no {incomplete}: every unit needs them")
    frame = pd.DataFrame({"value": data["value"].astype(float).to_numpy()})
    for column in columns:
        text = data[column].astype(str)
        frame[column] = pd.Categorical(text.to_numpy(), categories=ordered_levels(text, firsts.get(column)))
    return frame


def cell_values(frame: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """The values of each arm x level cell, in arm then level order (empty cells included)."""
    grouped = frame.groupby(["arm", "factor_level"], observed=False)["value"]
    return {(str(arm), str(level)): values.to_numpy(float) for (arm, level), values in grouped}


def _not_estimable(
    frame: pd.DataFrame, cells: dict[tuple[str, str], np.ndarray], cohort_block: bool, factor: str
) -> str:
    """Why the arm x factor model cannot be fitted (too few levels, empty cell, no residual df), or ``""``."""
    arms, levels = frame["arm"].cat.categories, frame["factor_level"].cat.categories
    if len(arms) < 2 or len(levels) < 2:
        return f"needs two arms and two levels of {factor}"
    if min(values.size for values in cells.values()) == 0:
        return f"an arm x {factor} cell is empty: the interaction is not estimable"
    blocks = len(frame["cohort"].cat.categories) - 1 if cohort_block else 0
    if len(frame) - len(arms) * len(levels) - blocks < 1:
        return "no residual degrees of freedom"
    return ""


def _anova_rows(
    frame: pd.DataFrame, typ: SumsOfSquares, cohort_block: bool
) -> tuple[tuple[FactorialRow, ...], NormalityCheck]:
    """The ANOVA table of arm x factor (+ cohort) with partial eta squared, and the residuals' normality."""
    coding = ", Sum" if typ == 3 else ""
    formula = f"value ~ C(arm{coding}) * C(factor_level{coding})"
    if cohort_block:
        formula += f" + C(cohort{coding})"
    fit = smf.ols(formula, data=frame).fit()
    table = sm.stats.anova_lm(fit, typ=typ)
    residual_ss = float(table.loc["Residual", "sum_sq"])
    rows = []
    for index, row in table.iterrows():
        name = str(index).replace(", Sum", "")
        if name == "Intercept":
            continue
        sum_sq = float(row["sum_sq"])
        is_residual = name == "Residual"
        rows.append(
            FactorialRow(
                term="residual" if is_residual else TERM_NAMES[name],
                sum_sq=sum_sq,
                df=float(row["df"]),
                f=float(row["F"]),
                p=float(row["PR(>F)"]),
                partial_eta_squared=NAN if is_residual else sum_sq / (sum_sq + residual_ss),
            )
        )
    return tuple(rows), shapiro_wilk("residuals", np.asarray(fit.resid))


def _simple_effects(
    frame: pd.DataFrame, reference: str, cohort_block: bool, confidence: float
) -> tuple[SimpleEffect, ...]:
    """Each arm minus ``reference`` within each factor level: cell-mean contrasts of the fitted model."""
    cells = frame.assign(cell=frame["arm"].astype(str) + "\x1f" + frame["factor_level"].astype(str))
    fit = smf.ols("value ~ 0 + C(cell)" + (" + C(cohort)" if cohort_block else ""), data=cells).fit()
    names = list(fit.params.index)
    effects = []
    for level in frame["factor_level"].cat.categories:
        for arm in frame["arm"].cat.categories:
            if arm == reference:
                continue
            contrast = np.zeros(len(names))
            contrast[names.index(f"C(cell)[{arm}\x1f{level}]")] = 1.0
            contrast[names.index(f"C(cell)[{reference}\x1f{level}]")] = -1.0
            test = fit.t_test(contrast)
            low, high = np.asarray(test.conf_int(alpha=1 - confidence))[0]
            effects.append(
                SimpleEffect(
                    factor_level=str(level),
                    arm=str(arm),
                    reference=reference,
                    estimate=float(np.asarray(test.effect)[0]),
                    se=float(np.asarray(test.sd).ravel()[0]),
                    t=float(np.asarray(test.tvalue).ravel()[0]),
                    df=float(fit.df_resid),
                    p=float(np.asarray(test.pvalue).ravel()[0]),
                    ci=(float(low), float(high)),
                )
            )
    return tuple(effects)


def factorial_anova(
    table: pd.DataFrame,
    reference: str,
    *,
    factor: str = "factor",
    factor_reference: str | None = None,
    sums_of_squares: SumsOfSquares = 2,
    cohort_block: bool = False,
    confidence: float = 0.95,
) -> FactorialAnalysis:
    """Two-way ANOVA arm x factor with the interaction, partial eta squared and the drug's simple effects.

    Parameters
    ----------
    table
        One row per experimental unit: ``arm``, ``factor_level`` and ``value`` (in the outcome's unit, e.g.
        seconds of immobility), and ``cohort`` when `cohort_block`; rows without a value are dropped.
    reference
        The reference arm (vehicle); simple effects are each other arm minus it.
    factor
        The factor's name as the study calls it (e.g. ``"stress"``), for the method text.
    factor_reference
        The factor level listed first (e.g. the unstressed control); None keeps the order of appearance.
    sums_of_squares
        2 (default) or 3: the type of the ANOVA's sums of squares (Type III with sum-to-zero contrasts).
    cohort_block
        Add the cohort as an additive fixed block (needs a ``cohort`` column).
    confidence
        The confidence level of the simple effects' intervals, as a fraction.

    Returns
    -------
    FactorialAnalysis
        The ANOVA rows (sums of squares in the outcome's unit squared) with partial eta squared, the simple
        effects, the n of each arm x level cell; or no rows and a note when the model is not estimable.

    Raises
    ------
    AnalysisError
        A column is missing, a unit lacks an arm, level or cohort, the type is not 2 or 3, or the reference
        arm has no values.
    """
    if sums_of_squares not in (2, 3):
        raise AnalysisError(f"sums_of_squares must be 2 or 3 (Type II or III), got {sums_of_squares!r}")
    columns = ("arm", "factor_level", "cohort") if cohort_block else ("arm", "factor_level")
    frame = design_frame(table, columns, {"arm": reference, "factor_level": factor_reference})
    arms = tuple(str(arm) for arm in frame["arm"].cat.categories)
    if reference not in arms:
        raise AnalysisError(f"the reference arm {reference!r} has no values among the arms {list(arms)}")
    levels = tuple(str(level) for level in frame["factor_level"].cat.categories)
    values = cell_values(frame)
    note = _not_estimable(frame, values, cohort_block, factor)
    rows, residuals = _anova_rows(frame, sums_of_squares, cohort_block) if not note else ((), NOT_FITTED)
    return FactorialAnalysis(
        factor=factor,
        reference=reference,
        arms=arms,
        factor_levels=levels,
        sums_of_squares=sums_of_squares,
        cohort="block" if cohort_block else "none",
        rows=rows,
        simple_effects=_simple_effects(frame, reference, cohort_block, confidence) if not note else (),
        cells=tuple((arm, level, int(cell.size)) for (arm, level), cell in values.items()),
        n=len(frame),
        assumptions=check_assumptions({f"{arm} / {level}": cell for (arm, level), cell in values.items()}),
        residuals=residuals,
        note=note,
        method=FACTORIAL_METHOD.format(
            factor=factor,
            typ="II" if sums_of_squares == 2 else "III",
            coding=", sum-to-zero contrasts" if sums_of_squares == 3 else "",
            block=COHORT_BLOCK_TEXT if cohort_block else "",
            reference=reference,
            level=confidence * 100,
        ),
    )
