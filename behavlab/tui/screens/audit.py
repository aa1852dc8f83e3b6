"""The study's audit log, oldest first, and a check of the whole hash chain."""

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from behavlab.services import ChainHead, ChainReport, current_head, list_events, verify_chain
from behavlab.services.display import AUDIT_COLUMNS, AuditEventFields, audit_cells
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.row_table import RowTable

#: The payload column shows this many characters of an event's JSON; `behavlab audit log` shows it whole.
MAX_PAYLOAD_CHARS = 120


class AuditScreen(StudyScreen):
    """v re-verifies the chain; the table lists the study's events."""

    TITLE_TEXT = "audit log"
    BINDINGS = [Binding("v", "verify", "Verify chain")]

    def compose_body(self) -> ComposeResult:
        """The chain status and the event table."""
        yield Static("", id="chain")
        yield RowTable(AUDIT_COLUMNS, id="events")

    def action_refresh(self) -> None:
        """Reload the events and verify the chain."""
        self.call(lambda: list_events(self.workspace, self.study), self._show, "Cannot read the audit log")
        self.action_verify()

    def _show(self, events: Sequence[AuditEventFields]) -> None:
        table = self.query_one("#events", RowTable)
        table.set_rows(AUDIT_COLUMNS, [audit_cells(event, MAX_PAYLOAD_CHARS) for event in events])
        table.action_cursor_to(-1)

    def action_verify(self) -> None:
        """Recompute the hash chain of the whole log and read its head."""
        self.call(
            lambda: (verify_chain(self.workspace), current_head(self.workspace)),
            self._verified,
            "Cannot verify the chain",
        )

    def _verified(self, checked: tuple[ChainReport, ChainHead]) -> None:
        report, head = checked
        text = (
            f"hash chain verified: {report.events_checked} events, every audited row matches. {head.line} "
            "(note it in the lab book: `behavlab audit verify --head` proves the log still extends it)"
            if report.ok
            else f"hash chain BROKEN at event {report.first_bad_event_id}: {report.problem}"
            if not report.chain_ok
            else f"hash chain verified, but DATA DIFFERS from the log: {report.rows_summary()}"
        )
        self.query_one("#chain", Static).update(text)
