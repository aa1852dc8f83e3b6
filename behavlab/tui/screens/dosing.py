"""Dosing: today's coded sheet (code, cage, weight, volume; never an arm).

Space records the highlighted injection; refused lines show why (stale weight, volume limit).
"""

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from behavlab.services import DosingSheet, dosing_sheet, record_dose, write_dosing_sheet
from behavlab.services.display import DOSING_COLUMNS, GIVEN_MARK, dosing_cells
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues

GIVEN = "given"


class DosingScreen(StudyScreen):
    """One key per injection: space records the dose at the cursor and moves to the next line."""

    TITLE_TEXT = "dosing"
    BINDINGS = [
        Binding("space", "dose", "Dose given"),
        Binding("o", "write_sheet", "Write sheet"),
    ]

    _sheet: DosingSheet

    def compose_body(self) -> ComposeResult:
        """The day's sheet and a summary line."""
        table: DataTable[str] = DataTable(id="dosing", cursor_type="row", zebra_stripes=True)
        for column in DOSING_COLUMNS:
            table.add_column(column, key=column)
        yield table
        yield Static("", id="status")

    def action_refresh(self) -> None:
        """Reload today's sheet."""
        self.call(lambda: dosing_sheet(self.workspace, self.study), self._show, "No dosing sheet")

    def _show(self, sheet: DosingSheet) -> None:
        self._sheet = sheet
        table = self.query_one("#dosing", DataTable)
        row = table.cursor_row
        table.clear()
        for line in sheet.lines:
            table.add_row(*dosing_cells(line), key=line.code)
        table.move_cursor(row=row)
        self._summarize()

    def _summarize(self) -> None:
        table = self.query_one("#dosing", DataTable)
        given = sum(cell == GIVEN_MARK for cell in table.get_column(GIVEN))
        self.query_one("#status", Static).update(
            f"{self._sheet.day.isoformat()}: {given}/{table.row_count} dosed, "
            f"{len(self._sheet.refused)} refused; every animal gets {self._sheet.volume_ml_per_kg:g} mL/kg"
        )

    def action_dose(self) -> None:
        """Record the highlighted animal's injection now, at its sheet volume."""
        table = self.query_one("#dosing", DataTable)
        if not table.row_count:
            return
        code = str(table.get_row_at(table.cursor_row)[0])
        self.call(
            lambda: record_dose(self.workspace, self.study, code), lambda _: self._dosed(code), "Dose refused"
        )

    def _dosed(self, code: str) -> None:
        table = self.query_one("#dosing", DataTable)
        table.update_cell(code, GIVEN, GIVEN_MARK)
        index = table.get_row_index(code)
        if index == table.cursor_row and index + 1 < table.row_count:
            table.move_cursor(row=index + 1)
        self._summarize()

    def action_write_sheet(self) -> None:
        """Write today's sheet as CSV or printable HTML."""
        fields = [Field("path", "file (.csv or .html)", placeholder="/path/to/dosing.html")]
        self.app.push_screen(FormScreen("Write the dosing sheet", fields), self._write)

    def _write(self, values: FormValues | None) -> None:
        if not values:
            return
        path = Path(values["path"]).expanduser()
        self.call(
            lambda: write_dosing_sheet(dosing_sheet(self.workspace, self.study), path),
            lambda written: self.notify(f"dosing sheet written to {written}"),
            "Sheet not written",
        )
