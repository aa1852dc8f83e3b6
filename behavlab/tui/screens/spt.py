"""Sucrose preference: declare a period, enter its bottle weights from a sheet, see preferences and flags."""

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from behavlab.services import SptLine, SptRecorded, create_spt_period, record_spt_bottles, spt_results
from behavlab.services.display import SPT_COLUMNS, spt_cells
from behavlab.tui.parse import moment, number
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues


class SptScreen(StudyScreen):
    """n declares a period; b stores its bottle sheet; the table lists every preference."""

    TITLE_TEXT = "sucrose preference"
    BINDINGS = [Binding("n", "new_period", "New period"), Binding("b", "bottles", "Bottle weights")]

    def compose_body(self) -> ComposeResult:
        """The results table and a summary line."""
        table: DataTable[str] = DataTable(id="spt", cursor_type="row", zebra_stripes=True)
        table.add_columns(*SPT_COLUMNS)
        yield table
        yield Static("", id="status")

    def action_refresh(self) -> None:
        """Reload the preferences."""
        self.call(lambda: spt_results(self.workspace, self.study), self._show, "Cannot read SPT results")

    def _show(self, lines: Sequence[SptLine]) -> None:
        table = self.query_one("#spt", DataTable)
        table.clear()
        table.add_rows(spt_cells(line) for line in lines)
        periods = len({line.period for line in lines})
        anhedonic = sum(line.anhedonic for line in lines)
        self.query_one("#status", Static).update(
            f"{len(lines)} readings in {periods} periods with bottle weights, {anhedonic} flagged anhedonic"
        )

    def action_new_period(self) -> None:
        """Declare a two-bottle period."""
        fields = [
            Field("label", "label", placeholder="e.g. day3"),
            Field("phase", "phase (habituation, baseline, test)", value="test"),
            Field("start", "bottles in (YYYY-MM-DD HH:MM)"),
            Field("end", "bottles out (YYYY-MM-DD HH:MM)"),
            Field("sucrose_pct", "sucrose %", value="1"),
        ]
        self.app.push_screen(FormScreen("Declare an SPT period", fields), self._declare)

    def _declare(self, values: FormValues | None) -> None:
        if not values:
            return
        self.call(
            lambda: create_spt_period(
                self.workspace,
                self.study,
                values["label"],
                moment(values["start"], "bottles in"),
                moment(values["end"], "bottles out"),
                values["phase"],
                number(values["sucrose_pct"], "sucrose %"),
            ),
            lambda period: self.notify(f"SPT period {period.label} ({period.phase}) declared"),
            "Period not declared",
        )

    def action_bottles(self) -> None:
        """Store a period's bottle sheet (all rows or none)."""
        fields = [
            Field("period", "period label"),
            Field("sheet", "bottle sheet (.csv or .xlsx)", placeholder="/path/to/bottles.csv"),
        ]
        self.app.push_screen(FormScreen("Enter bottle weights", fields), self._bottles)

    def _bottles(self, values: FormValues | None) -> None:
        if not values:
            return
        sheet = Path(values["sheet"]).expanduser()
        self.call(
            lambda: record_spt_bottles(self.workspace, self.study, values["period"], sheet),
            self._recorded,
            "Bottle weights not recorded",
        )

    def _recorded(self, recorded: SptRecorded) -> None:
        self.notify(f"stored bottles of {recorded.n_animals} animals for period {recorded.period}")
        for warning in recorded.warnings:
            self.notify(warning, severity="warning")
        if recorded.anhedonic:
            self.notify(f"anhedonic: {', '.join(recorded.anhedonic)}", severity="warning")
        self.action_refresh()
