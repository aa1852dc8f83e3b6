"""Forced swim: sessions with their videos and ROIs, each animal's immobility, per-minute sparklines as the QC
plot, adding a session and entering a manual score."""

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from behavlab.services import (
    FstSessionView,
    Workspace,
    add_fst_session,
    list_fst_sessions,
    record_manual_score,
)
from behavlab.tui.outcomes import FstOutcomes, fst_outcomes, immobility_text
from behavlab.tui.parse import number, optional_number
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues

COLUMNS = ("#", "code", "video", "roi", "tested", "h post dose", "immobile s", "warnings")


def session_cells(view: FstSessionView, outcomes: FstOutcomes) -> tuple[str, ...]:
    """One session as table cells."""
    return (
        str(view.id),
        view.code,
        view.video,
        view.roi_label,
        f"{view.tested_at.astimezone():%Y-%m-%d %H:%M}",
        "-" if view.hours_post_dose is None else f"{view.hours_post_dose:.1f}",
        immobility_text(outcomes.immobility_s.get(view.code, {})),
        "; ".join(view.warnings),
    )


class FstScreen(StudyScreen):
    """a adds a session, m scores the highlighted one by hand; the sparklines follow the cursor."""

    TITLE_TEXT = "forced swim"
    BINDINGS = [
        Binding("a", "add_session", "Add session"),
        Binding("m", "manual_score", "Manual score"),
    ]

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._outcomes = FstOutcomes({}, {}, {})

    def compose_body(self) -> ComposeResult:
        """Sessions table, then the QC area: per-minute immobility and immobility across sessions."""
        table: DataTable[str] = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        with Horizontal(id="qc"):
            with Vertical():
                yield Static("immobility per minute: -", id="minutes-label")
                yield Sparkline([], id="minutes")
            with Vertical():
                yield Static("immobility by session, in test order", id="sessions-label")
                yield Sparkline([], id="across")
        yield Static("", id="status")

    def action_refresh(self) -> None:
        """Reload the sessions and their scores."""
        self.call(self._load, self._show, "Cannot list FST sessions")

    def _load(self) -> tuple[Sequence[FstSessionView], FstOutcomes]:
        return list_fst_sessions(self.workspace, self.study), fst_outcomes(self.workspace, self.study)

    def _show(self, loaded: tuple[Sequence[FstSessionView], FstOutcomes]) -> None:
        views, self._outcomes = loaded
        table = self.query_one("#sessions", DataTable)
        row = table.cursor_row
        table.clear()
        for view in views:
            table.add_row(*session_cells(view, self._outcomes), key=str(view.id))
        table.move_cursor(row=row)
        across = [
            min(scores.values()) for view in views if (scores := self._outcomes.immobility_s.get(view.code))
        ]
        self.query_one("#across", Sparkline).data = across
        scored = sum(bool(view.scored_methods) for view in views)
        self.query_one("#status", Static).update(f"{len(views)} sessions, {scored} scored")
        self._show_minutes()

    def _code(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        return str(table.get_row_at(table.cursor_row)[1]) if table.row_count else None

    def on_data_table_row_highlighted(self) -> None:
        """The per-minute sparkline follows the cursor."""
        self._show_minutes()

    def _show_minutes(self) -> None:
        code = self._code()
        minutes = self._outcomes.per_minute_s.get(code or "", [])
        label = f"immobility per minute, {code}" if minutes else "immobility per minute: no video score"
        self.query_one("#minutes-label", Static).update(label)
        self.query_one("#minutes", Sparkline).data = minutes

    def action_add_session(self) -> None:
        """Record one animal's swim test and its video."""
        fields = [
            Field("code", "blind code", placeholder="e.g. 7KQ2MX"),
            Field("video", "video file", placeholder="/path/to/fst.mp4"),
            Field("roi", "ROI label (empty: the whole frame, or the only ROI)"),
            Field("rois", "ROI file (optional)"),
            Field("tank", "tank (optional)"),
            Field("water_temp_c", "water temperature C", value="24"),
            Field("water_depth_cm", "water depth cm", value="15"),
        ]
        self.app.push_screen(FormScreen("Add an FST session", fields), self._add)

    def _add(self, values: FormValues | None) -> None:
        if not values:
            return

        def add() -> FstSessionView:
            return add_fst_session(
                self.workspace,
                self.study,
                values["code"],
                Path(values["video"]).expanduser(),
                roi_label=values["roi"] or None,
                rois_file=Path(values["rois"]).expanduser() if values["rois"] else None,
                tank=values["tank"] or None,
                water_temp_c=optional_number(values["water_temp_c"], "water temperature"),
                water_depth_cm=optional_number(values["water_depth_cm"], "water depth"),
            )

        self.call(add, self._added, "Session not recorded")

    def _added(self, view: FstSessionView) -> None:
        self.notify(f"FST session {view.id}: {view.code} in {view.video} ({view.roi_label})")
        for warning in view.warnings:
            self.notify(f"{view.code}: {warning}", severity="warning")
        self.action_refresh()

    def action_manual_score(self) -> None:
        """Enter a human's immobility seconds for the highlighted animal's latest session."""
        code = self._code()
        if code is None:
            return
        fields = [
            Field("immobility_s", "seconds immobile in 120-360 s"),
            Field("latency_s", "latency to first immobility, s (optional)"),
            Field("scorer", "scorer (blind to the arm)", value=self.workspace.actor),
        ]
        self.app.push_screen(
            FormScreen(f"Manual score for {code}", fields), lambda values: self._score(code, values)
        )

    def _score(self, code: str, values: FormValues | None) -> None:
        if not values:
            return

        def score() -> str:
            record_manual_score(
                self.workspace,
                self.study,
                code,
                number(values["immobility_s"], "seconds immobile"),
                values["scorer"],
                optional_number(values["latency_s"], "latency"),
            )
            return code

        self.call(score, self._scored, "Score not recorded")

    def _scored(self, code: str) -> None:
        self.notify(f"manual score recorded for {code}")
        self.action_refresh()
