"""Models over more than one factor: two-way ANOVA arm x sex, and the mixed model of repeated SPT periods.

Both take a tidy table with one row per unit (animal or cage) and period: columns ``code``, ``arm``, ``value``
and ``sex`` (ANOVA) or ``period`` (mixed model).

Notes
-----
- Arm x sex: ordinary least squares with both factors and their interaction, tested by Type II sums of
  squares (statsmodels ``anova_lm(typ=2)``). Type II tests each main effect after the other main effect and
  respects marginality (Langsrud 2003, Stat Comput 13:163); Type III would test main effects in the presence
  of the interaction, which depends on the contrast coding. The interaction row, the one to read first when
  both sexes are studied, is identical under Type II and III. The sexes are compared through the interaction,
  never by comparing p-values computed within each sex (Nieuwenhuis et al. 2011, Nat Neurosci 14:1105).
- Repeated periods: a linear mixed model (statsmodels ``MixedLM``, REML) with fixed effects arm, period and
  arm x period and a random intercept per animal (Laird & Ware 1982, Biometrics 38:963); the first period
  and the reference arm are the baselines of the treatment coding. The arm x period interaction is tested
  jointly by a Wald chi-square. When the fit does not converge (or gives no finite standard errors) the
  result says so and keeps no estimates; a converged fit with warnings (typically a random-intercept variance
  on the boundary, 0) keeps its estimates and reports the warnings.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLMResults
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from analysis.jsonready import JsonReady
from analysis.summaries import NAN, software_versions

DesignColumn = npt.NDArray[np.floating[Any]]

TWO_WAY_METHOD = (
    "Two-way ANOVA arm x sex with the interaction (OLS, Type II sums of squares, Langsrud 2003); "
    "the interaction tests whether the arm effect differs between the sexes."
)
MIXED_METHOD = (
    "Linear mixed model (REML, statsmodels MixedLM): fixed effects arm, period and arm x period "
    "(treatment coding, reference arm {reference}, first period {period}), random intercept per {unit}; "
    "arm x period tested jointly by a Wald chi-square."
)


def ordered_levels(values: pd.Series, first: str | None = None) -> list[str]:
    """Distinct values as text in order of first appearance, with ``first`` moved to the front if present."""
    levels = list(dict.fromkeys(values.astype(str)))
    if first in levels:
        levels.remove(first)
        levels.insert(0, first)
    return levels


@dataclass(frozen=True)
class AnovaRow(JsonReady):
    """One term of an ANOVA table (F and p are NaN on the residual row)."""

    term: str
    sum_sq: float
    df: float
    f: float
    p: float


@dataclass(frozen=True)
class TwoWayAnova(JsonReady):
    """The arm x sex ANOVA table, the cell sizes, and why it is empty when it cannot be fitted."""

    rows: tuple[AnovaRow, ...]
    cells: tuple[tuple[str, str, int], ...]
    n: int
    note: str
    method: str = TWO_WAY_METHOD
    software: Mapping[str, str] = field(default_factory=software_versions)


def two_way_anova(table: pd.DataFrame, reference: str) -> TwoWayAnova:
    """Two-way ANOVA of ``value`` on arm, sex and arm x sex (Type II); no rows and a note if not estimable.

    Parameters
    ----------
    table
        One row per experimental unit: ``arm``, ``sex`` and ``value`` (in the outcome's unit, e.g. seconds);
        rows without a value are dropped.
    reference
        The reference (vehicle) arm, the first level of the arm factor.

    Returns
    -------
    TwoWayAnova
        The ANOVA table (sums of squares in the outcome's unit squared), the n of each arm x sex cell, and a
        note instead of rows when there are not two arms and two sexes, a cell is empty or no residual df is
        left.
    """
    data = table.loc[table["value"].notna(), ["arm", "sex", "value"]].astype({"arm": str, "sex": str})
    arms = ordered_levels(data["arm"], reference)
    sexes = ordered_levels(data["sex"])
    counts = data.groupby(["arm", "sex"]).size()
    cells = tuple((arm, sex, int(counts.get((arm, sex), 0))) for arm in arms for sex in sexes)
    n = len(data)
    note = ""
    if len(sexes) < 2 or len(arms) < 2:
        note = "needs two arms and two sexes"
    elif min(count for _, _, count in cells) == 0:
        note = "an arm x sex cell is empty: the interaction is not estimable"
    elif n - len(arms) * len(sexes) < 1:
        note = "no residual degrees of freedom"
    if note:
        return TwoWayAnova((), cells, n, note)
    frame = pd.DataFrame(
        {
            "value": data["value"].astype(float).to_numpy(),
            "arm": pd.Categorical(data["arm"], categories=arms),
            "sex": pd.Categorical(data["sex"], categories=sexes),
        }
    )
    fit = smf.ols("value ~ C(arm) * C(sex)", data=frame).fit()
    anova = sm.stats.anova_lm(fit, typ=2)
    terms = ("arm", "sex", "arm x sex", "residual")
    rows = tuple(
        AnovaRow(term, float(row["sum_sq"]), float(row["df"]), float(row["F"]), float(row["PR(>F)"]))
        for term, (_, row) in zip(terms, anova.iterrows(), strict=True)
    )
    return TwoWayAnova(rows, cells, n, "")


@dataclass(frozen=True)
class FixedEffect(JsonReady):
    """One fixed-effect coefficient of the mixed model with its Wald SE, z, p and 95% CI."""

    term: str
    estimate: float
    se: float
    z: float
    p: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class MixedModelResult(JsonReady):
    """The repeated-measures mixed model, or why it gave no estimates (``converged`` False, ``note`` says)."""

    converged: bool
    n_units: int
    n_observations: int
    periods: tuple[str, ...]
    fixed_effects: tuple[FixedEffect, ...]
    interaction_chi2: float
    interaction_df: int
    interaction_p: float
    random_intercept_variance: float
    residual_variance: float
    note: str
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)


def _indicator(column: pd.Series, level: str) -> DesignColumn:
    """1.0 where `column` holds `level`, else 0.0: one treatment-coded column of a design matrix."""
    return (column == level).astype(float).to_numpy()


def _design(
    data: pd.DataFrame, arms: Sequence[str], periods: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Treatment-coded design matrix (intercept, arm, period, arm x period) and the interaction columns."""
    design: dict[str, DesignColumn] = {"intercept": np.ones(len(data))}
    arm_columns = {f"arm[{arm}]": _indicator(data["arm"], arm) for arm in arms[1:]}
    period_columns = {f"period[{period}]": _indicator(data["period"], period) for period in periods[1:]}
    interaction = {
        f"{a}:{p}": arm_values * period_values
        for a, arm_values in arm_columns.items()
        for p, period_values in period_columns.items()
    }
    design |= arm_columns | period_columns | interaction
    return pd.DataFrame(design, index=data.index), list(interaction)


def mixed_model(table: pd.DataFrame, reference: str, *, unit: str = "animal") -> MixedModelResult:
    """Random-intercept mixed model of ``value`` on arm x period; a note instead of estimates if it fails.

    Parameters
    ----------
    table
        One row per unit and period: ``code`` (the unit), ``arm``, ``period`` and ``value`` (in the outcome's
        unit, e.g. seconds or percent); rows without a value are dropped.
    reference
        The reference (vehicle) arm; the first period seen is the reference period.
    unit
        What a ``code`` is (``animal`` or ``cage``), as the method text and notes name it.

    Returns
    -------
    MixedModelResult
        Fixed effects (outcome's unit) with Wald 95% CIs, the Wald test of arm x period and the variance
        components; or ``converged`` False and a note saying why not.
    """
    data = table.loc[table["value"].notna(), ["code", "arm", "period", "value"]].astype(
        {"code": str, "arm": str, "period": str}
    )
    arms = ordered_levels(data["arm"], reference)
    periods = tuple(ordered_levels(data["period"]))
    n_units = int(data["code"].nunique())
    method = MIXED_METHOD.format(reference=reference, period=periods[0] if periods else "-", unit=unit)

    def failed(note: str) -> MixedModelResult:
        return MixedModelResult(False, n_units, len(data), periods, (), NAN, 0, NAN, NAN, NAN, note, method)

    if too_little := _too_little_for_a_model(reference, arms, periods, n_units, len(data), unit):
        return failed(too_little)
    exog, interaction = _design(data, arms, periods)
    model = sm.MixedLM(data["value"].astype(float).to_numpy(), exog, groups=data["code"].to_numpy())
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = model.fit(reml=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return failed(f"the mixed model could not be fitted ({exc}); see the per-period comparisons instead")
    said = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)))
    if not fit.converged or not np.isfinite(np.asarray(fit.bse_fe)).all():
        reason = said[0] if said else "the optimizer did not converge"
        return failed(f"the mixed model did not converge ({reason}); see the per-period comparisons instead")
    names = list(exog.columns)
    chi2, interaction_p = wald_test(fit, names, interaction)
    return MixedModelResult(
        converged=True,
        n_units=n_units,
        n_observations=len(data),
        periods=periods,
        fixed_effects=_fixed_effects(fit, names),
        interaction_chi2=chi2,
        interaction_df=len(interaction),
        interaction_p=interaction_p,
        random_intercept_variance=float(np.asarray(fit.cov_re)[0, 0]),
        residual_variance=float(fit.scale),
        note=f"converged with warnings: {'; '.join(said)}" if said else "",
        method=method,
    )


def _too_little_for_a_model(
    reference: str, arms: Sequence[str], periods: Sequence[str], n_units: int, n_observations: int, unit: str
) -> str:
    """Why the data cannot support the model (no reference, too few arms, periods or units), or ``""``."""
    if reference not in arms:
        return f"the reference arm {reference} has no values"
    if len(arms) < 2 or len(periods) < 2:
        return "needs two arms and two periods"
    if n_units < 3 or n_observations <= n_units:
        return f"{n_units} {unit}s and {n_observations} observations: too few for a random intercept"
    return ""


def _fixed_effects(fit: MixedLMResults, names: list[str]) -> tuple[FixedEffect, ...]:
    """Each fixed effect of a converged fit with its Wald SE, z, two-sided p and 95% CI."""
    params = np.asarray(fit.fe_params)
    se = np.asarray(fit.bse_fe)
    z = params / se
    p = 2 * stats.norm.sf(np.abs(z))
    half = stats.norm.ppf(0.975) * se
    return tuple(
        FixedEffect(name, float(b), float(s), float(zz), float(pp), (float(b - h), float(b + h)))
        for name, b, s, zz, pp, h in zip(names, params, se, z, p, half, strict=True)
    )


def wald_test(fit: MixedLMResults, names: list[str], tested: list[str]) -> tuple[float, float]:
    """Joint Wald chi-square and p that the ``tested`` fixed effects are all zero."""
    index = [names.index(name) for name in tested]
    beta = np.asarray(fit.fe_params)[index]
    covariance = np.asarray(fit.cov_params())[np.ix_(index, index)]
    try:
        chi2 = float(beta @ np.linalg.solve(covariance, beta))
    except np.linalg.LinAlgError:
        return NAN, NAN
    return chi2, float(stats.chi2.sf(chi2, len(index))) if math.isfinite(chi2) else NAN
