"""The linear mixed model of repeated periods (SPT days), with a non-randomized factor and cohorts.

Input is a tidy table with one row per unit (animal or cage) and period: ``code``, ``arm``, ``period`` and
``value``, plus ``factor_level`` (the unit's level of the study's non-randomized between-animal factor) and
``cohort`` when the study has them.

Notes
-----
- A linear mixed model (statsmodels ``MixedLM``, REML) with a random intercept per unit (Laird & Ware 1982,
  Biometrics 38:963). Fixed effects: arm, period and arm x period, in treatment coding with the reference arm
  and the first period as baselines; one indicator per non-reference arm, so any number of arms fits.
- With a factor of two or more levels the factor is crossed with arm and period like arm is with period:
  factor, arm x factor, period x factor and arm x period x factor. Whether the drug's effect differs between
  the factor's levels is read from arm x factor and arm x period x factor (Nieuwenhuis et al. 2011, Nat
  Neurosci 14:1105); in treatment coding, arm x period is then the drug's change over periods at the
  factor's first level.
- With two or more cohorts, the cohort enters as an additive fixed block (one indicator per cohort after
  the first): a nuisance shift of every value of the cohort, not crossed with anything.
- Each interaction (and the cohort block) is tested jointly by a Wald chi-square. When the fit does not
  converge (or gives no finite standard errors) or a term is not estimable (an empty cell, a cohort
  confounded with the factor) the result says so and keeps no estimates; a converged fit with warnings
  (typically a random-intercept variance on the boundary, 0) keeps its estimates and reports the warnings.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLMResults
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from analysis.factorial import COHORT_BLOCK_TEXT, ordered_levels
from analysis.jsonready import JsonReady
from analysis.summaries import NAN, software_versions

DesignColumn = npt.NDArray[np.floating[Any]]

MIXED_METHOD = (
    "Linear mixed model (REML, statsmodels MixedLM): fixed effects arm, period and arm x period{factor} "
    "(treatment coding, reference arm {reference}, first period {period}{first_level}){block}, random "
    "intercept per {unit}; each interaction{block_test} tested jointly by a Wald chi-square."
)
FACTOR_TEXT = ", {factor}, arm x {factor}, period x {factor} and arm x period x {factor}"
FIRST_LEVEL_TEXT = ", first {factor} level {level}"


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
class TermTest(JsonReady):
    """A model term's test: F (df numerator, denominator) or Wald chi-square (df, NaN), and its p."""

    term: str
    test: str
    statistic: float
    df: tuple[float, float]
    p: float


@dataclass(frozen=True)
class RemlFit:
    """A MixedLM fitted by REML with its convergence warnings, or no fit and `failure` saying why."""

    fit: MixedLMResults | None
    warnings: tuple[str, ...] = ()
    failure: str = ""

    @property
    def note(self) -> str:
        """The warnings of a converged fit, as a result's note (``""`` without any)."""
        return f"converged with warnings: {'; '.join(self.warnings)}" if self.warnings else ""


@dataclass(frozen=True)
class MixedModelResult(JsonReady):
    """The repeated-measures mixed model, or why it gave no estimates (``converged`` False, ``note`` says).

    ``interaction_*`` is the arm x period test; ``design_tests`` the factor's interactions with arm and the
    cohort block, when the study has them (``factor_levels``, ``cohorts``: empty when not modelled).
    """

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
    factor_levels: tuple[str, ...] = ()
    cohorts: tuple[str, ...] = ()
    design_tests: tuple[TermTest, ...] = ()
    software: Mapping[str, str] = field(default_factory=software_versions)


@dataclass(frozen=True)
class _Factor:
    """A treatment-coded factor: its name in the terms, its column and its levels (the first the baseline)."""

    name: str
    column: str
    levels: tuple[str, ...]


def _indicator(column: pd.Series, level: str) -> DesignColumn:
    """1.0 where `column` holds `level`, else 0.0: one treatment-coded column of a design matrix."""
    return (column == level).astype(float).to_numpy()


def _indicators(data: pd.DataFrame, factor: _Factor) -> dict[str, DesignColumn]:
    """One indicator column per level of `factor` after its first, named ``factor[level]``."""
    return {f"{factor.name}[{level}]": _indicator(data[factor.column], level) for level in factor.levels[1:]}


def _design(
    data: pd.DataFrame, crossed: Sequence[_Factor], block: _Factor | None
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Treatment-coded design: intercept, the crossed factors with all their interactions, then the block.

    Returns the design and, per term (``arm``, ``arm x period``, ...), the names of its columns.
    """
    indicators = {factor.name: _indicators(data, factor) for factor in crossed}
    design: dict[str, DesignColumn] = {"intercept": np.ones(len(data))}
    terms: dict[str, list[str]] = {}
    for order in range(1, len(crossed) + 1):
        for subset in combinations(crossed, order):
            term = " x ".join(factor.name for factor in subset)
            columns = {
                ":".join(names): np.prod(
                    [indicators[f.name][n] for f, n in zip(subset, names, strict=True)], axis=0
                )
                for names in product(*(indicators[factor.name] for factor in subset))
            }
            design |= columns
            terms[term] = list(columns)
    if block is not None:
        columns = _indicators(data, block)
        design |= columns
        terms[block.name] = list(columns)
    return pd.DataFrame(design, index=data.index), terms


def _optional_factor(data: pd.DataFrame, column: str, name: str, first: str | None) -> _Factor | None:
    """The factor in `column` if the table has it with two or more levels (missing is no level), else None."""
    if column not in data.columns:
        return None
    levels = ordered_levels(data[column].dropna(), first)
    return _Factor(name, column, tuple(levels)) if len(levels) > 1 else None


def mixed_model(
    table: pd.DataFrame,
    reference: str,
    *,
    unit: str = "animal",
    factor_name: str = "factor",
    factor_reference: str | None = None,
) -> MixedModelResult:
    """Random-intercept mixed model of ``value`` on arm x period (x factor, + cohort); a note if it fails.

    Parameters
    ----------
    table
        One row per unit and period: ``code`` (the unit), ``arm``, ``period`` and ``value`` (in the outcome's
        unit, e.g. seconds or percent), optionally ``factor_level`` and ``cohort``; rows without a value are
        dropped. A factor or cohort column with fewer than two levels is ignored.
    reference
        The reference (vehicle) arm; the first period seen is the reference period.
    unit
        What a ``code`` is (``animal`` or ``cage``), as the method text and notes name it.
    factor_name
        The factor's name in the terms and tests (e.g. ``stress``).
    factor_reference
        The factor's baseline level; by default the first seen.

    Returns
    -------
    MixedModelResult
        Fixed effects (outcome's unit) with Wald 95% CIs, the Wald tests of arm x period, of the factor's
        interactions with arm and of the cohort block, and the variance components; or ``converged`` False
        and a note saying why not.
    """
    data = table.loc[table["value"].notna()].astype({"code": str, "arm": str, "period": str})
    arm = _Factor("arm", "arm", tuple(ordered_levels(data["arm"], reference)))
    period = _Factor("period", "period", tuple(ordered_levels(data["period"])))
    factor = _optional_factor(data, "factor_level", factor_name, factor_reference)
    cohort = _optional_factor(data, "cohort", "cohort", None)
    crossed = [arm, period] if factor is None else [arm, period, factor]
    n_units = int(data["code"].nunique())
    method = _method(reference, period.levels, unit, factor, cohort is not None)

    def failed(note: str) -> MixedModelResult:
        return MixedModelResult(
            False, n_units, len(data), period.levels, (), NAN, 0, NAN, NAN, NAN, note, method,
            factor.levels if factor else (), cohort.levels if cohort else (),
        )  # fmt: skip

    if too_little := _too_little_for_a_model(reference, crossed, cohort, data, n_units, unit):
        return failed(too_little)
    exog, terms = _design(data, crossed, cohort)
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        return failed("a term is not estimable (an empty cell, or the cohort confounded with another factor)")
    reml = fit_reml(sm.MixedLM(data["value"].astype(float).to_numpy(), exog, groups=data["code"].to_numpy()))
    if reml.fit is None:
        return failed(f"{reml.failure}; see the per-period comparisons instead")
    fit = reml.fit
    names = list(exog.columns)
    tests = [wald_term_test(fit, names, term, columns) for term, columns in terms.items()]
    chosen = _design_test_terms(factor_name if factor else None, cohort is not None)
    interaction = next(test for test in tests if test.term == "arm x period")
    return MixedModelResult(
        converged=True,
        n_units=n_units,
        n_observations=len(data),
        periods=period.levels,
        fixed_effects=_fixed_effects(fit, names),
        interaction_chi2=interaction.statistic,
        interaction_df=int(interaction.df[0]),
        interaction_p=interaction.p,
        random_intercept_variance=float(np.asarray(fit.cov_re)[0, 0]),
        residual_variance=float(fit.scale),
        note=reml.note,
        method=method,
        factor_levels=factor.levels if factor else (),
        cohorts=cohort.levels if cohort else (),
        design_tests=tuple(test for test in tests if test.term in chosen),
    )


def fit_reml(model: sm.MixedLM) -> RemlFit:
    """Fit `model` by REML, keeping its convergence warnings; no fit when it fails or gives no finite SEs."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = model.fit(reml=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return RemlFit(None, failure=f"the mixed model could not be fitted ({exc})")
    said = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)))
    if not fit.converged or not np.isfinite(np.asarray(fit.bse_fe)).all():
        reason = "; ".join(said) or "the optimizer did not converge"
        return RemlFit(None, said, f"the mixed model did not converge ({reason})")
    return RemlFit(fit, said)


def wald_term_test(fit: MixedLMResults, names: list[str], term: str, columns: list[str]) -> TermTest:
    """The joint Wald chi-square test that every coefficient of a term (its `columns`) is zero."""
    chi2, p = wald_test(fit, names, columns)
    return TermTest(term, "Wald chi-square", chi2, (float(len(columns)), NAN), p)


def _design_test_terms(factor_name: str | None, cohort_block: bool) -> tuple[str, ...]:
    """The terms reported beside arm x period: the factor's interactions with arm, and the cohort block."""
    terms = (f"arm x {factor_name}", f"arm x period x {factor_name}") if factor_name else ()
    return (*terms, "cohort") if cohort_block else terms


def _method(
    reference: str, periods: Sequence[str], unit: str, factor: _Factor | None, cohort_block: bool
) -> str:
    """The method text of the model as fitted."""
    return MIXED_METHOD.format(
        reference=reference,
        period=periods[0] if periods else "-",
        unit=unit,
        factor=FACTOR_TEXT.format(factor=factor.name) if factor else "",
        first_level=FIRST_LEVEL_TEXT.format(factor=factor.name, level=factor.levels[0]) if factor else "",
        block=COHORT_BLOCK_TEXT if cohort_block else "",
        block_test=" and the cohort block" if cohort_block else "",
    )


def _too_little_for_a_model(
    reference: str,
    crossed: Sequence[_Factor],
    cohort: _Factor | None,
    data: pd.DataFrame,
    n_units: int,
    unit: str,
) -> str:
    """Why the data cannot support the model (no reference, too few arms, periods or units), or ``""``."""
    arm, period = crossed[0], crossed[1]
    if reference not in arm.levels:
        return f"the reference arm {reference} has no values"
    if len(arm.levels) < 2 or len(period.levels) < 2:
        return "needs two arms and two periods"
    if n_units < 3 or len(data) <= n_units:
        return f"{n_units} {unit}s and {len(data)} observations: too few for a random intercept"
    unlevelled = [
        f.column for f in (*crossed[2:], cohort) if f and (~data[f.column].astype(str).isin(f.levels)).any()
    ]
    if unlevelled:
        return f"some observations have no {' or '.join(unlevelled)}: the model needs every unit's level"
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
