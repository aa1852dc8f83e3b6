"""Dosing: today's coded sheet (code, cage, weight, volume; never an arm).

A scanned label (or a typed code and Enter) puts the cursor on its animal's line. Space records the
highlighted injection; refused lines show why (stale weight, volume limit). Space on an
animal dosed before asks first, naming the earlier dose, and takes the reason for the second injection.
v voids the highlighted animal's latest dose, named in a confirmation, with its reason.
"""

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from behavlab.services import DosingSheet, Workspace, dosing_sheet, record_dose, write_dosing_sheet
from behavlab.services.display import DOSING_COLUMNS, GIVEN_MARK, dosing_cells, local_minute
from behavlab.services.void_targets import latest_dose
from behavlab.tui.calls import call_service
from behavlab.tui.screens.base import ScanningScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues
from behavlab.tui.widgets.row_table import RowTable
from behavlab.tui.widgets.void_dialog import void_with_reason

GIVEN = "given"


class DosingScreen(ScanningScreen):
    """One key per injection: space records the dose at the cursor and moves to the next line."""

    TITLE_TEXT = "dosing"
    BINDINGS = [
        Binding("space", "dose", "Dose given"),
        Binding("o", "write_sheet", "Write sheet"),
        Binding("v", "void_dose", "Void dose"),
    ]

    _sheet: DosingSheet

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._pending: set[str] = set()

    def compose_body(self) -> ComposeResult:
        """The day's sheet and a summary line."""
        yield RowTable(DOSING_COLUMNS, id="dosing")
        yield Static("", id="status")

    def action_refresh(self) -> None:
        """Reload today's sheet."""
        self.call(lambda: dosing_sheet(self.workspace, self.study), self._show, "No dosing sheet")

    def _show(self, sheet: DosingSheet) -> None:
        self._sheet = sheet
        rows = [dosing_cells(line) for line in sheet.lines]
        self.query_one("#dosing", RowTable).set_rows(
            DOSING_COLUMNS, rows, [line.code for line in sheet.lines]
        )
        self._summarize()

    def _summarize(self) -> None:
        given = sum(line.dosed for line in self._sheet.lines)
        self.query_one("#status", Static).update(
            f"{self._sheet.day.isoformat()}: {given}/{len(self._sheet.lines)} dosed, "
            f"{len(self._sheet.refused)} refused; every animal gets {self._sheet.volume_ml_per_kg:g} mL/kg"
        )

    def jump_to(self, code: str) -> None:
        """Put the cursor on the scanned animal's line, ready for Space."""
        table = self.query_one("#dosing", RowTable)
        try:
            table.move_cursor(table.get_row_index(code))
        except KeyError:
            self.not_shown(code, "on today's dosing sheet")
            return
        table.focus()

    def action_dose(self) -> None:
        """Record the highlighted animal's injection now, at its sheet volume; a repeat asks first."""
        table = self.query_one("#dosing", RowTable)
        if not table.row_count:
            return
        code = table.row_key(table.cursor_row)
        if code in self._pending:
            return
        earlier = next(line.last_dosed_at for line in self._sheet.lines if line.code == code)
        if earlier is None:
            self._record(code)
            return
        fields = [Field("reason", "reason for another injection")]
        note = f"{code} was already dosed on {local_minute(earlier)}. Record a second injection now?"
        form = FormScreen(
            f"Second injection for {code}",
            fields,
            note=note,
            submit=lambda values: self._record(code, values, form),
        )
        self.app.push_screen(form)

    def _record(self, code: str, values: FormValues | None = None, form: FormScreen | None = None) -> None:
        reason = values["reason"] if values else None
        self._pending.add(code)

        def refused(error: Exception) -> None:
            self._pending.discard(code)
            if form is not None:
                form.refuse(error)

        call_service(
            self,
            lambda: record_dose(self.workspace, self.study, code, again_reason=reason),
            lambda event: self._dosed(event.dosed_at, code, form),
            title="Dose refused",
            failed=refused,
        )

    def _dosed(self, dosed_at: datetime, code: str, form: FormScreen | None) -> None:
        """Mark the line given, remember the dose (a repeat asks again) and move to the next line."""
        self._pending.discard(code)
        if form is not None and form.is_current:
            form.dismiss(None)
        lines = [
            replace(line, dosed=True, last_dosed_at=dosed_at) if line.code == code else line
            for line in self._sheet.lines
        ]
        self._sheet = replace(self._sheet, lines=lines)
        table = self.query_one("#dosing", RowTable)
        table.update_cell(code, GIVEN, GIVEN_MARK)
        index = table.get_row_index(code)
        if index == table.cursor_row and index + 1 < table.row_count:
            table.move_cursor(index + 1)
        self._summarize()

    def action_void_dose(self) -> None:
        """Void the highlighted animal's latest dose, named in the dialog, with its reason; then reload."""
        table = self.query_one("#dosing", RowTable)
        if not table.row_count:
            return
        code = table.row_key(table.cursor_row)
        void_with_reason(
            self,
            self.workspace,
            self.study,
            lambda: latest_dose(self.workspace, self.study, code),
            self.action_refresh,
        )

    def action_write_sheet(self) -> None:
        """Write today's sheet as CSV or printable HTML; a refusal keeps the dialog."""
        fields = [Field("path", "file (.csv or .html)", placeholder="/path/to/dosing.html")]
        form = FormScreen("Write the dosing sheet", fields, submit=lambda values: self._write(form, values))
        self.app.push_screen(form)

    def _write(self, form: FormScreen, values: FormValues) -> None:
        path = Path(values["path"]).expanduser()
        call_service(
            self,
            lambda: write_dosing_sheet(dosing_sheet(self.workspace, self.study), path),
            lambda written: self._written(form, written),
            title="Sheet not written",
            failed=form.refuse,
        )

    def _written(self, form: FormScreen, written: Path) -> None:
        if form.is_current:
            form.dismiss(None)
        self.notify(f"dosing sheet written to {written}")
