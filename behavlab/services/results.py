"""The group results of an unmasked study, as a screen shows them: each outcome's analysis and its values.

The analysis is the report's own (:func:`behavlab.report.group_results.analyse` on the study's report data),
so the screen and the report never disagree; the values per arm are the units that analysis used (animals,
or cage means when cages were randomized), excluded animals left out. While the study is blind there is
nothing to group by, and the result says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from behavlab.report.data import ReportData
from behavlab.report.formats import interval, num, pvalue
from behavlab.services.reporting import build_report_data
from behavlab.services.workspace import Workspace

if TYPE_CHECKING:
    from analysis.comparisons import TwoArmComparison
    from analysis.outcomes import OutcomeAnalysis


@dataclass(frozen=True)
class OutcomeResult:
    """One outcome x scoring method x period: its title, analysis, and each arm's values (reference first)."""

    title: str
    unit: str
    analysis: OutcomeAnalysis
    values: Mapping[str, tuple[float, ...]]

    def statistics_rows(self) -> list[tuple[str, ...]]:
        """One row per arm (`STATISTICS_COLUMNS`) in the report's number formats.

        Each arm's n, mean and SD, and each arm against the reference (Holm-adjusted p-values when there are
        more than two arms).
        """
        analysis = self.analysis
        comparisons: dict[str, tuple[TwoArmComparison, float, float]]
        if analysis.multi_arm is not None:
            holm = " (Holm)"
            comparisons = {
                pair.comparison.arm: (pair.comparison, pair.welch_p_holm, pair.mann_whitney_p_holm)
                for pair in analysis.multi_arm.versus_reference
            }
        else:
            holm = ""
            comparisons = {c.arm: (c, c.welch_p, c.mann_whitney_p) for c in analysis.comparisons}
        rows = []
        for summary in analysis.summaries:
            cells = [
                summary.group,
                str(summary.n),
                f"{num(summary.mean)} ± {num(summary.sd)}",
            ]
            if summary.group in comparisons:
                comparison, welch_p, mann_whitney_p = comparisons[summary.group]
                cells += [
                    f"{num(comparison.mean_difference)} [{interval(*comparison.mean_difference_ci)}]",
                    f"{num(comparison.hedges_g, 3)} [{interval(*comparison.hedges_g_ci)}]",
                    pvalue(welch_p) + holm,
                    pvalue(mann_whitney_p) + holm,
                ]
            else:
                cells += ["reference", "", "", ""]
            rows.append(tuple(cells))
        return rows


@dataclass(frozen=True)
class StudyResults:
    """The study's group results; `blinded` (and no outcomes) until the study is unmasked."""

    study: str
    blinded: bool
    reference: str | None
    arms: tuple[str, ...]
    outcomes: tuple[OutcomeResult, ...]
    n_excluded: int


def study_results(workspace: Workspace, study_name: str) -> StudyResults:
    """Analyse the unmasked study as its report does; a blind study gives a result with no outcomes."""
    from behavlab.report.group_results import analyse

    data = build_report_data(workspace, study_name)
    analysis = analyse(data)
    outcomes = () if analysis is None else tuple(_result(data, result) for result in analysis.outcomes)
    return StudyResults(
        study=data.study.name,
        blinded=data.blinded,
        reference=data.reference_arm,
        arms=data.arm_names,
        outcomes=outcomes,
        n_excluded=len(data.exclusions),
    )


def _result(data: ReportData, analysis: OutcomeAnalysis) -> OutcomeResult:
    """Pair an analysis with the values it was computed from."""
    from analysis.outcomes import cage_means

    table = data.analysed_outcomes
    rows = table.loc[
        (table["outcome"] == analysis.outcome)
        & _matches(table["method"], analysis.scoring)
        & _matches(table["period"], analysis.period)
        & table["value"].notna()
    ]
    units = cage_means(rows) if analysis.experimental_unit == "cage" else rows
    values = {
        arm: tuple(float(v) for v in units.loc[units["arm"].astype(str) == arm, "value"])
        for arm in data.arm_names
    }
    return OutcomeResult(
        title=data.title(analysis.outcome, analysis.scoring, analysis.period),
        unit=analysis.unit,
        analysis=analysis,
        values=values,
    )


def _matches(column: pd.Series, value: str | None) -> pd.Series:
    """Rows whose cell equals `value`, or is empty when `value` is None."""
    if value is None:
        return column.isna() | (column.astype(str) == "")
    return column.astype(str) == value
