"""Sucrose preference: declare a period, type its bottle weights (or give a sheet), see preferences, flags.

A scanned label (or a typed code and Enter) opens the bottle grid on its animal's line.
"""

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from behavlab.services import (
    BottleGrid,
    SptLine,
    SptRecorded,
    bottle_grid,
    create_spt_period,
    record_spt_bottles,
    record_typed_spt_bottles,
    spt_results,
)
from behavlab.services.display import SPT_COLUMNS, spt_cells
from behavlab.services.spt import TypedBottles
from behavlab.tui.calls import call_service
from behavlab.tui.parse import moment, number
from behavlab.tui.screens.base import ScanningScreen
from behavlab.tui.widgets.bottle_grid import BottleGridScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues
from behavlab.tui.widgets.row_table import RowTable


class SptScreen(ScanningScreen):
    """n declares a period; t types its bottle weights, b stores a sheet file; the table lists preferences."""

    TITLE_TEXT = "sucrose preference"
    BINDINGS = [
        Binding("n", "new_period", "New period"),
        Binding("t", "type_bottles", "Type bottle weights"),
        Binding("b", "bottles", "Bottle sheet file"),
    ]

    def compose_body(self) -> ComposeResult:
        """The results table and a summary line."""
        yield RowTable(SPT_COLUMNS, id="spt")
        yield Static("", id="status")

    def action_refresh(self) -> None:
        """Reload the preferences."""
        self.call(lambda: spt_results(self.workspace, self.study), self._show, "Cannot read SPT results")

    def _show(self, lines: Sequence[SptLine]) -> None:
        self.query_one("#spt", RowTable).set_rows(SPT_COLUMNS, [spt_cells(line) for line in lines])
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

    def jump_to(self, code: str) -> None:
        """Open the bottle grid on the scanned animal's line."""
        self.action_type_bottles(code)

    def action_type_bottles(self, code: str | None = None) -> None:
        """Open the bottle grid, on `code`'s line if given: a line per coded animal and per spill control."""
        self.call(
            lambda: bottle_grid(self.workspace, self.study),
            lambda grid: self._open_grid(grid, code),
            "Cannot open the bottle grid",
        )

    def _open_grid(self, grid: BottleGrid, code: str | None) -> None:
        screen = BottleGridScreen(
            "Type bottle weights (g)",
            grid.rows,
            grid.open_periods,
            submit=lambda period, lines: self._typed(screen, period, lines),
            read_scan=self.scanned_code,
            start_code=code,
        )
        self.app.push_screen(screen)

    def _typed(self, screen: BottleGridScreen, period: str, lines: list[TypedBottles]) -> None:
        """Store the typed lines as the period's bottle sheet; a refusal keeps the grid as typed."""
        call_service(
            self,
            lambda: record_typed_spt_bottles(self.workspace, self.study, period, lines),
            lambda recorded: self._typed_recorded(screen, recorded),
            title="Bottle weights not recorded",
            failed=screen.refuse,
        )

    def _typed_recorded(self, screen: BottleGridScreen, recorded: SptRecorded) -> None:
        if screen.is_current:
            screen.dismiss(None)
        self._recorded(recorded)

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
