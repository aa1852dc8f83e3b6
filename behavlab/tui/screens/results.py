"""Results at study end: each outcome's statistics by arm, as the report computes them.

A plot of the highlighted outcome's values by arm, and the revealed allocation. Empty, and saying why, while
blind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from behavlab.services import Workspace
from behavlab.services.display import STATISTICS_COLUMNS
from behavlab.services.fst_outcomes import FstOutcomes, fst_outcomes, immobility_text
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.fitted_columns import add_fitted_columns
from behavlab.tui.widgets.plots import group_strip

if TYPE_CHECKING:
    from behavlab.services import OutcomeResult, StudyResults

BLIND_TEXT = "The study is blind: group results appear once it is unmasked (Unmask screen, u)."
STATISTICS_HEADER = ("outcome", *STATISTICS_COLUMNS)
ALLOCATION_HEADER = ("code", "arm", "immobile s")


@dataclass(frozen=True)
class ResultsView:
    """The group results and each code's immobility."""

    results: StudyResults
    outcomes: FstOutcomes


def results_title(results: StudyResults) -> str:
    """What the tables hold: the reference arm, excluded animals left out."""
    excluded = f"; {results.n_excluded} excluded animals left out" if results.n_excluded else ""
    count = len(results.outcomes)
    return (
        f"Unmasked. {count} {'analysis' if count == 1 else 'analyses'}, each arm against {results.reference}"
        f"{excluded}. The plot follows the cursor."
    )


class ResultsScreen(StudyScreen):
    """The statistics table drives the plot: move the cursor to an outcome to see its values by arm."""

    TITLE_TEXT = "results"

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._outcome_of_row: list[OutcomeResult] = []

    def compose_body(self) -> ComposeResult:
        """The title, the statistics, then the plot beside the allocation."""
        yield Static("loading...", id="results-title")
        statistics: DataTable[str] = DataTable(id="statistics", cursor_type="row", zebra_stripes=True)
        add_fitted_columns(statistics, STATISTICS_HEADER, [])
        yield statistics
        with Horizontal(id="results-lower"):
            yield PlotextPlot(id="group-plot")
            allocation: DataTable[str] = DataTable(id="allocation", cursor_type="row", zebra_stripes=True)
            add_fitted_columns(allocation, ALLOCATION_HEADER, [])
            yield allocation

    def action_refresh(self) -> None:
        """Reload the results."""
        self.call(self._load, self._show, "Cannot read the results")

    def _load(self) -> ResultsView:
        """The results, in the worker: the statistics stack (pandas, scipy) loads here on first use."""
        from behavlab.services import study_results

        results = study_results(self.workspace, self.study)
        return ResultsView(results, fst_outcomes(self.workspace, self.study))

    def _show(self, view: ResultsView) -> None:
        results = view.results
        self.query_one("#results-lower").display = not results.blinded
        self.query_one("#statistics").display = not results.blinded
        if results.blinded:
            self.query_one("#results-title", Static).update(BLIND_TEXT)
            return
        self.query_one("#results-title", Static).update(results_title(results))
        self._outcome_of_row = []
        statistics_rows: list[tuple[str, ...]] = []
        for outcome in results.outcomes:
            for index, row in enumerate(outcome.statistics_rows()):
                statistics_rows.append((outcome.title if index == 0 else "", *row))
                self._outcome_of_row.append(outcome)
        allocation_rows = [
            (code, arm, immobility_text(view.outcomes.immobility_s.get(code, {})))
            for code, arm in sorted(view.outcomes.arm_of.items())
        ]
        for selector, header, rows in (
            ("#statistics", STATISTICS_HEADER, statistics_rows),
            ("#allocation", ALLOCATION_HEADER, allocation_rows),
        ):
            table = self.query_one(selector, DataTable)
            table.clear(columns=True)
            add_fitted_columns(table, header, rows)
            table.add_rows(rows)
        self._plot()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The plot follows the statistics cursor."""
        if event.data_table.id == "statistics":
            self._plot()

    def _plot(self) -> None:
        row = self.query_one("#statistics", DataTable).cursor_row
        if not 0 <= row < len(self._outcome_of_row):
            return
        outcome = self._outcome_of_row[row]
        unit = outcome.analysis.experimental_unit
        title = f"{outcome.title}, {outcome.unit}: each {unit}, bar at the arm mean"
        means = {summary.group: summary.mean for summary in outcome.analysis.summaries}
        group_strip(self.query_one("#group-plot", PlotextPlot), outcome.values, means, title)
