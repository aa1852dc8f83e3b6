"""Group statistics of a study's outcomes after unmasking: per outcome, scoring method and period.

Input is a tidy table, one row per animal and outcome: ``code``, ``arm``, ``sex``, ``cage``, ``value``
and, for a whole study, ``outcome``, ``method`` (the scoring method), ``period`` and ``unit``. The reference
(vehicle) arm is named by the caller; every difference is another arm minus it. The building blocks live in
:mod:`analysis.summaries` (descriptives, assumption checks), :mod:`analysis.comparisons` (two or more
arms), :mod:`analysis.models` (arm x sex ANOVA) and :mod:`analysis.mixed` (mixed model of repeated periods).

Notes
-----
When cages rather than animals were randomized, the cage is the experimental unit: animals of one cage share
their treatment and their environment and are not independent replicates, so each cage's mean is one
observation and n counts cages (Lazic, Clarke-Williams & Munafo 2018, PLoS Biol 16:e2003693). Agreement
between two scoring methods on the same animals is computed by
:func:`tracking.evaluation.agreement.seconds_agreement`
(Pearson r, Bland & Altman 1986 bias and limits), not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.comparisons import MultiArmComparison, TwoArmComparison, compare_arms, compare_two_arms
from analysis.errors import AnalysisError
from analysis.factorial import ordered_levels
from analysis.jsonready import JsonReady
from analysis.mixed import MixedModelResult, mixed_model
from analysis.models import TwoWayAnova, two_way_anova
from analysis.summaries import (
    AssumptionChecks,
    GroupSummary,
    check_assumptions,
    software_versions,
    summarize,
)

UNIT_COLUMNS = ("code", "arm", "sex", "cage", "value")
STUDY_COLUMNS = (*UNIT_COLUMNS, "outcome", "method", "period", "unit")
#: Columns a cage's animals share, kept in its mean's row.
CAGE_SHARED_COLUMNS = ("sex", "factor_level", "cohort")
DESCRIPTIVE_METHOD = (
    "Per arm: n, mean, SD (n - 1), SEM, median and quartiles (linear interpolation, Hyndman & Fan type 7)."
)
CAGE_UNIT_METHOD = (
    "Cages were randomized, so the cage is the experimental unit: each cage's mean is one observation and "
    "n counts cages (Lazic et al. 2018)."
)


def require_columns(table: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise AnalysisError naming every missing column."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise AnalysisError(f"the table lacks the columns {missing}; it has {list(table.columns)}")


def _one_or_mixed(values: pd.Series) -> object:
    """The one value a cage's animals share, or "mixed"."""
    return values.iloc[0] if values.nunique(dropna=False) == 1 else "mixed"


def cage_means(table: pd.DataFrame) -> pd.DataFrame:
    """One row per cage (and period): mean value, the cage's arm and sex; the cage becomes the ``code``.

    A ``factor_level`` or ``cohort`` column is kept the same way as the sex ("mixed" when a cage's animals
    differ).
    """
    require_columns(table, UNIT_COLUMNS)
    keys = ["cage", "period"] if "period" in table.columns else ["cage"]
    data = table.assign(cage=table["cage"].astype(str))
    arms_per_cage = data.groupby("cage")["arm"].nunique()
    mixed = sorted(arms_per_cage.index[arms_per_cage > 1])
    if mixed:
        raise AnalysisError(f"cages {mixed} hold more than one arm: the cage cannot be the experimental unit")
    grouped = data.groupby(keys, sort=False, dropna=False)
    shared = {column: (column, _one_or_mixed) for column in CAGE_SHARED_COLUMNS if column in data.columns}
    means = grouped.agg(arm=("arm", "first"), **shared, value=("value", "mean")).reset_index()
    return means.assign(code=means["cage"])


@dataclass(frozen=True)
class OutcomeAnalysis(JsonReady):
    """Everything reported for one outcome, scoring method and period: descriptives, checks and tests."""

    outcome: str
    scoring: str | None
    period: str | None
    unit: str
    experimental_unit: str
    reference: str
    summaries: tuple[GroupSummary, ...]
    assumptions: AssumptionChecks
    two_arm: TwoArmComparison | None
    multi_arm: MultiArmComparison | None
    two_way: TwoWayAnova | None
    notes: tuple[str, ...]
    method: str
    software: Mapping[str, str] = field(default_factory=software_versions)

    @property
    def comparisons(self) -> tuple[TwoArmComparison, ...]:
        """Each arm against the reference, whether from the two-arm or the several-arm analysis."""
        if self.two_arm is not None:
            return (self.two_arm,)
        if self.multi_arm is not None:
            return tuple(pair.comparison for pair in self.multi_arm.versus_reference)
        return ()

    @property
    def methods(self) -> tuple[str, ...]:
        """The method texts of every part of this analysis, in report order."""
        parts: list[str] = [self.method, self.assumptions.method]
        parts += [comparison.method for comparison in self.comparisons]
        if self.multi_arm is not None:
            parts.append(self.multi_arm.method)
        if self.two_way is not None:
            parts.append(self.two_way.method)
        return tuple(parts)


def analyse_outcome(
    table: pd.DataFrame,
    reference: str,
    *,
    outcome: str = "value",
    scoring: str | None = None,
    period: str | None = None,
    unit: str = "",
    by_cage: bool = False,
    confidence: float = 0.95,
) -> OutcomeAnalysis:
    """Descriptives, assumption checks and tests of one outcome (one row per animal), arm minus reference.

    Parameters
    ----------
    table
        One row per animal: ``code``, ``arm``, ``sex``, ``cage`` and ``value`` (in the outcome's unit, e.g.
        seconds of immobility or percent sucrose preference); rows without a value are dropped.
    reference
        The reference (vehicle) arm; every difference is another arm minus it.
    outcome, scoring, period, unit
        What the values are, recorded with the result: the outcome's name, the scoring method, the period
        and the unit (e.g. ``"s"`` for seconds, ``"%"`` for percent).
    by_cage
        Cages were randomized: each cage's mean is one observation (`cage_means`).
    confidence
        The confidence level of every interval, as a fraction (0.95 for 95 percent).

    Returns
    -------
    OutcomeAnalysis
        Per-arm summaries, assumption checks, the two-arm or several-arm comparison, the arm x sex ANOVA
        when both sexes are present, notes and the method texts.

    Raises
    ------
    AnalysisError
        A missing column, a value without an arm, two values of one unit, or (`by_cage`) a mixed cage.
    """
    data, method, notes = _experimental_units(table, outcome, by_cage)
    arms = [reference, *(arm for arm in ordered_levels(data["arm"]) if arm != reference)]
    groups = {arm: data.loc[data["arm"].astype(str) == arm, "value"].to_numpy(float) for arm in arms}
    two_arm, multi_arm = _comparison(groups, reference, confidence, notes)
    sexes = data["sex"].dropna().astype(str).unique()
    two_way = two_way_anova(data, reference) if len(groups) > 1 and len(sexes) > 1 else None
    return OutcomeAnalysis(
        outcome=outcome,
        scoring=scoring,
        period=period,
        unit=unit,
        experimental_unit="cage" if by_cage else "animal",
        reference=reference,
        summaries=tuple(summarize(arm, values) for arm, values in groups.items()),
        assumptions=check_assumptions(groups),
        two_arm=two_arm,
        multi_arm=multi_arm,
        two_way=two_way,
        notes=tuple(notes),
        method=method,
    )


def _experimental_units(
    table: pd.DataFrame, outcome: str, by_cage: bool
) -> tuple[pd.DataFrame, str, list[str]]:
    """The rows with a value, one per experimental unit (cage means when `by_cage`), the method and notes."""
    require_columns(table, UNIT_COLUMNS)
    data = table.loc[table["value"].notna()]
    if data["arm"].isna().any():
        raise AnalysisError("rows without an arm: group statistics need the unmasked allocation")
    notes: list[str] = []
    method = DESCRIPTIVE_METHOD
    if by_cage:
        data = cage_means(data)
        method = f"{CAGE_UNIT_METHOD} {method}"
        notes.append(f"experimental unit: cage ({data['code'].nunique()} cage means)")
    duplicated = sorted(set(data.loc[data["code"].duplicated(), "code"].astype(str)))
    if duplicated:
        raise AnalysisError(f"{outcome}: more than one value for {duplicated}; pass one row per unit")
    return data, method, notes


def _comparison(
    groups: dict[str, np.ndarray], reference: str, confidence: float, notes: list[str]
) -> tuple[TwoArmComparison | None, MultiArmComparison | None]:
    """The two-arm or the several-arm comparison against the reference, or a note when one arm has values."""
    if len(groups) == 2:
        other = next(arm for arm in groups if arm != reference)
        return compare_two_arms(
            other, groups[other], reference, groups[reference], confidence=confidence
        ), None
    if len(groups) > 2:
        return None, compare_arms(groups, reference, confidence=confidence)
    notes.append("only one arm has values: no comparison")
    return None, None


@dataclass(frozen=True)
class RepeatedOutcome(JsonReady):
    """The mixed model of one outcome and scoring method measured over several periods."""

    outcome: str
    scoring: str | None
    unit: str
    experimental_unit: str
    model: MixedModelResult


@dataclass(frozen=True)
class StudyAnalysis(JsonReady):
    """Every outcome's analysis (per outcome, scoring method and period) and the repeated-period models."""

    outcomes: tuple[OutcomeAnalysis, ...]
    repeated: tuple[RepeatedOutcome, ...]
    software: Mapping[str, str] = field(default_factory=software_versions)

    @property
    def methods(self) -> tuple[str, ...]:
        """Distinct method texts in order of first use, for a statistical-methods section."""
        texts = [text for analysis in self.outcomes for text in analysis.methods]
        texts += [repeated.model.method for repeated in self.repeated]
        return tuple(dict.fromkeys(texts))


def _first_label(column: pd.Series) -> str | None:
    """The first value of `column` as text, or None for a missing or empty one."""
    first = column.iloc[0]
    return None if bool(column.isna().iloc[0]) or first == "" else str(first)


def analyse_study(
    outcomes: pd.DataFrame,
    reference: str,
    *,
    by_cage: bool = False,
    confidence: float = 0.95,
    factor_name: str = "factor",
) -> StudyAnalysis:
    """Analyse each outcome x scoring method (x period); a mixed model where periods repeat.

    Parameters
    ----------
    outcomes
        The study's tidy table, one row per animal, outcome and period: ``code``, ``arm``, ``sex``, ``cage``,
        ``value`` (in the outcome's unit, e.g. seconds or percent), ``outcome``, ``method`` (the scoring
        method), ``period`` and ``unit``; ``factor_level`` and ``cohort`` enter the repeated-period models
        when present (see :func:`analysis.mixed.mixed_model`).
    reference
        The reference (vehicle) arm; every difference is another arm minus it.
    by_cage
        Cages were randomized: each cage's mean is one observation.
    confidence
        The confidence level of every interval, as a fraction (0.95 for 95 percent).
    factor_name
        The name of the study's non-randomized factor (e.g. ``stress``), as the mixed models name it.

    Returns
    -------
    StudyAnalysis
        One `OutcomeAnalysis` per outcome, scoring method and period (see `analyse_outcome`), and one mixed
        model per outcome and scoring method measured over two or more periods.

    Raises
    ------
    AnalysisError
        A column is missing, or an outcome's rows are refused by `analyse_outcome`.
    """
    require_columns(outcomes, STUDY_COLUMNS)
    analyses: list[OutcomeAnalysis] = []
    repeated: list[RepeatedOutcome] = []
    keys = outcomes[["outcome", "method"]].astype(object).where(outcomes[["outcome", "method"]].notna(), "")
    for (outcome, method), rows in outcomes.groupby([keys["outcome"], keys["method"]], sort=False):
        name, scoring = str(outcome), None if method == "" else str(method)
        unit = _first_label(rows["unit"]) or ""
        periods = ordered_levels(rows["period"].dropna()) if rows["period"].notna().any() else []
        each_period: Sequence[str | None] = periods or [None]
        for period in each_period:
            subset = rows if period is None else rows.loc[rows["period"].astype(str) == period]
            analyses.append(
                analyse_outcome(
                    subset,
                    reference,
                    outcome=name,
                    scoring=scoring,
                    period=period,
                    unit=unit,
                    by_cage=by_cage,
                    confidence=confidence,
                )
            )
        if len(periods) > 1:
            repeated.append(_repeated_outcome(rows, reference, name, scoring, unit, by_cage, factor_name))
    return StudyAnalysis(tuple(analyses), tuple(repeated))


def _repeated_outcome(
    rows: pd.DataFrame,
    reference: str,
    outcome: str,
    scoring: str | None,
    unit: str,
    by_cage: bool,
    factor_name: str,
) -> RepeatedOutcome:
    """The mixed model of one outcome and scoring method over its periods (of cage means when `by_cage`)."""
    experimental_unit = "cage" if by_cage else "animal"
    table = cage_means(rows) if by_cage else rows
    return RepeatedOutcome(
        outcome=outcome,
        scoring=scoring,
        unit=unit,
        experimental_unit=experimental_unit,
        model=mixed_model(table, reference, unit=experimental_unit, factor_name=factor_name),
    )
