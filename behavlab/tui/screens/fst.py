"""Forced swim: sessions with their videos and ROIs, and their scoring; v voids a score, V a session.

Every unscored session is scored in a background worker with a progress bar; the screen shows each animal's
immobility, a per-minute plot as the QC view, and adds a session or a manual score (seconds immobile, or a
5-s time-sampling sheet). A scanned label (or a typed code and Enter) puts the cursor on its animal's latest
session, for its plot and its manual score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static
from textual_plotext import PlotextPlot

from behavlab.errors import InvalidInputError
from behavlab.services import (
    FST_SCORED_WINDOW_S,
    FstSessionView,
    StudyScoring,
    Workspace,
    add_fst_session,
    list_fst_sessions,
    record_manual_score,
    score_study,
)
from behavlab.services.display import fst_session_cells
from behavlab.services.fst_outcomes import FstOutcomes, fst_outcomes, immobility_text
from behavlab.services.precision import MANUAL_PRECISION_S
from behavlab.services.void_targets import VoidTarget, fst_session, latest_score
from behavlab.tui.calls import call_service
from behavlab.tui.parse import measured, moment, optional_int, optional_number
from behavlab.tui.screens.base import ScanningScreen
from behavlab.tui.screens.bench_timer import BenchTimerScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues
from behavlab.tui.widgets.plots import minute_bars
from behavlab.tui.widgets.row_table import RowTable
from behavlab.tui.widgets.sampling_grid import SamplingEntry, SamplingGridScreen
from behavlab.tui.widgets.scoring_progress import ScoringProgress
from behavlab.tui.widgets.void_dialog import void_with_reason

if TYPE_CHECKING:
    from behavlab.services.library_types import BatchProgress

COLUMNS = ("#", "code", "video", "roi", "tested", "h post dose", "immobile s", "test start", "warnings")
#: Wide enough for a machine and a manual score side by side, and fixed: the column must not jump when a
#: scoring refreshes the table.
FIXED_WIDTHS = {"immobile s": 26}

SCORED_WINDOW = "-".join(f"{bound:g}" for bound in FST_SCORED_WINDOW_S)


def session_cells(view: FstSessionView, outcomes: FstOutcomes) -> tuple[str, ...]:
    """One session as table cells: the shared session cells with its immobility by method."""
    c = fst_session_cells(view)
    immobile = immobility_text(outcomes.immobility_s.get(view.code, {}))
    return (c.id, c.code, c.video, c.roi_label, c.tested_at, c.hours_post_dose, immobile, c.start, c.warnings)


def scoring_summary(result: StudyScoring) -> str:
    """What a study scoring did, by count."""
    return f"{result.scored} sessions scored, {result.already_scored} already, {len(result.failures)} failed"


class FstScreen(ScanningScreen):
    """Sessions, their scores and the QC plot; the per-minute plot follows the cursor.

    s scores the unscored sessions in the background; a adds a session; m scores the highlighted one by hand.
    """

    TITLE_TEXT = "forced swim"
    BINDINGS = [
        Binding("s", "score", "Score"),
        Binding("a", "add_session", "Add"),
        Binding("m", "manual_score", "Manual"),
        Binding("t", "time_sampling", "Sampling"),
        Binding("v", "void_score", "Void score"),
        Binding("V", "void_session", "Void session"),
        Binding("b", "bench_timer", "Bench"),
    ]

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._outcomes = FstOutcomes({}, {}, {})
        self._scoring = False

    def compose_body(self) -> ComposeResult:
        """Sessions table, scoring progress, then the QC area: per-minute immobility and across sessions."""
        yield RowTable(COLUMNS, FIXED_WIDTHS, id="sessions")
        yield ScoringProgress(id="scoring")
        with Horizontal(id="qc"):
            yield PlotextPlot(id="minutes")
            with Vertical(id="across-box"):
                yield Static("immobility by session, in test order", id="sessions-label")
                yield Sparkline([], id="across")
                yield Static("", id="status")

    def action_bench_timer(self) -> None:
        """Open the bench timer for the recording running now: camera, mouse in and out per tank."""
        self.app.push_screen(BenchTimerScreen(self.workspace, self.study))

    def action_refresh(self) -> None:
        """Reload the sessions and their scores."""
        self.call(self._load, self._show, "Cannot list FST sessions")

    def _load(self) -> tuple[Sequence[FstSessionView], FstOutcomes]:
        return list_fst_sessions(self.workspace, self.study), fst_outcomes(self.workspace, self.study)

    def _show(self, loaded: tuple[Sequence[FstSessionView], FstOutcomes]) -> None:
        views, self._outcomes = loaded
        rows = [session_cells(view, self._outcomes) for view in views]
        self.query_one("#sessions", RowTable).set_rows(COLUMNS, rows, [str(view.id) for view in views])
        across = [
            min(scores.values()) for view in views if (scores := self._outcomes.immobility_s.get(view.code))
        ]
        self.query_one("#across", Sparkline).data = across
        scored = sum(bool(view.scored_methods) for view in views)
        self.query_one("#status", Static).update(f"{len(views)} sessions, {scored} scored")
        self._show_minutes()

    def _code(self) -> str | None:
        table = self.query_one("#sessions", RowTable)
        return table.get_row_at(table.cursor_row)[1] if table.row_count else None

    def jump_to(self, code: str) -> None:
        """Put the cursor on the scanned animal's latest session (the plot follows)."""
        table = self.query_one("#sessions", RowTable)
        rows = [index for index in range(table.row_count) if table.get_row_at(index)[1] == code]
        if not rows:
            self.not_shown(code, "in a recorded FST session: a adds one")
            return
        table.move_cursor(rows[-1])
        table.focus()

    def action_void_score(self) -> None:
        """Void the highlighted session's latest score, named in the dialog, with its reason."""
        self._void(latest_score)

    def action_void_session(self) -> None:
        """Void the highlighted session (and so its scores), named in the dialog, with its reason."""
        self._void(fst_session)

    def _void(self, find: Callable[[Workspace, str, int], VoidTarget]) -> None:
        table = self.query_one("#sessions", RowTable)
        if table.row_count:
            session_id = int(table.row_key(table.cursor_row))
            target = partial(find, self.workspace, self.study, session_id)
            void_with_reason(self, self.workspace, self.study, target, self.action_refresh)

    def on_row_table_row_highlighted(self) -> None:
        """The per-minute plot follows the cursor."""
        self._show_minutes()

    def _show_minutes(self) -> None:
        code = self._code()
        minutes = self._outcomes.per_minute_s.get(code or "", [])
        title = f"{code}: seconds immobile per minute" if minutes else "per minute: no video score here"
        minute_bars(self.query_one("#minutes", PlotextPlot), minutes, title)

    def action_score(self) -> None:
        """Ask how to score, then score every session not yet scored that way, in the background."""
        if self._scoring:
            self.notify("scoring is already running", severity="warning")
            return
        fields = [
            Field("method", "method (motion, or pose from DeepLabCut files)", value="motion"),
            Field("preset", "preset (fst, or a calibrated preset's name)", value="fst"),
            Field("jobs", "videos at once (empty: one per CPU)"),
        ]
        note = "Sessions already scored with the same parameters are skipped; other parameters add a scoring."
        self.app.push_screen(FormScreen("Score the FST videos", fields, note=note), self._score)

    def _score(self, values: FormValues | None) -> None:
        if not values or self._scoring:
            return
        progress = self.query_one(ScoringProgress)
        self._scoring = True
        progress.start()

        def score() -> tuple[StudyScoring, BatchProgress | None]:
            last: list[BatchProgress] = []

            def report(state: BatchProgress) -> None:
                last[:] = [state]
                progress.post_message(ScoringProgress.Update(state))

            result = score_study(
                self.workspace,
                self.study,
                method=values["method"],
                preset=values["preset"],
                jobs=optional_int(values["jobs"], "videos at once"),
                on_progress=report,
            )
            return result, next(iter(last), None)

        call_service(
            self, score, self._scored_study, title="Scoring failed", group="scoring", failed=self._failed
        )

    def _scored_study(self, scored: tuple[StudyScoring, BatchProgress | None]) -> None:
        result, last = scored
        self._scoring = False
        self.query_one(ScoringProgress).finish(scoring_summary(result), last)
        summary = f"{scoring_summary(result)}; files in {result.out_dir}"
        self.notify(summary, title="FST scoring", markup=False)
        if result.earlier_note is not None:
            self.notify(result.earlier_note, title="Earlier scorings", severity="warning", markup=False)
        for code, reason in result.failures:
            self.notify(f"{code}: {reason}", title="Not scored", severity="error", timeout=15)
        self.action_refresh()

    def _failed(self, _error: Exception) -> None:
        self._scoring = False
        self.query_one(ScoringProgress).finish("scoring stopped: see the notice", None)

    def action_add_session(self) -> None:
        """Record one animal's swim test, its video and when it was tested; a refusal keeps the dialog."""
        fields = [
            Field("code", "lab ID or blind code", placeholder="e.g. 7KQ2MX"),
            Field("video", "video file", placeholder="/path/to/fst.mp4"),
            Field(
                "tested_at",
                "tested at (YYYY-MM-DD HH:MM, local time)",
                value=f"{datetime.now():%Y-%m-%d %H:%M}",
            ),
            Field("roi", "ROI label (empty: the whole frame, or the only ROI)"),
            Field("rois", "ROI file (optional)"),
            Field("tank", "tank (optional)"),
            Field("water_temp_c", "water temperature C", value="24"),
            Field("water_depth_cm", "water depth cm", value="15"),
            Field("start_s", "test start (s of video; empty: the bench mark, else detected)"),
        ]
        form = FormScreen("Add an FST session", fields, submit=lambda values: self._add(form, values))
        self.app.push_screen(form)

    def _add(self, form: FormScreen, values: FormValues) -> None:
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
                tested_at=moment(values["tested_at"], "tested at"),
                start_s=optional_number(values["start_s"], "test start"),
            )

        call_service(
            self, add, lambda view: self._added(form, view), title="Session not recorded", failed=form.refuse
        )

    def _added(self, form: FormScreen, view: FstSessionView) -> None:
        if form.is_current:
            form.dismiss(None)
        self.notify(f"FST session {view.id}: {view.code} in {view.video} ({view.roi_label})")
        for warning in view.warnings:
            self.notify(f"{view.code}: {warning}", severity="warning")
        self.action_refresh()

    def action_manual_score(self) -> None:
        """Enter a human's score for the highlighted animal's latest session: seconds or a sampling sheet."""
        code = self._code()
        if code is None:
            return
        fields = [
            Field("immobility_s", f"seconds immobile in {SCORED_WINDOW} s (empty when giving a sheet)"),
            Field("sheet", "or a 5-s time-sampling sheet (bin 1-48, behavior I/S/C)"),
            Field("latency_s", "latency to first immobility, s (optional)"),
            Field("scorer", "scorer (blind to the arm)", value=self.workspace.actor),
        ]
        title = f"Manual score for {code}"
        form = FormScreen(title, fields, submit=lambda values: self._manual(form, code, values))
        self.app.push_screen(form)

    def _manual(self, form: FormScreen, code: str, values: FormValues) -> None:
        """Read the typed seconds to their precision at once (a refusal keeps the dialog), then record."""
        try:
            seconds = measured(values["immobility_s"], "seconds immobile", MANUAL_PRECISION_S, "s")
            latency = measured(values["latency_s"], "latency", MANUAL_PRECISION_S, "s")
        except InvalidInputError as error:
            form.refuse(error)
            return
        sheet = Path(values["sheet"]).expanduser() if values["sheet"] else None
        call_service(
            self,
            lambda: record_manual_score(
                self.workspace, self.study, code, seconds, values["scorer"], latency, sheet=sheet
            ),
            lambda _: self._manual_scored(form, code),
            title="Score not recorded",
            failed=form.refuse,
        )

    def action_time_sampling(self) -> None:
        """Type the highlighted animal's 5-s time-sampling sheet bin by bin, each bin checked as typed."""
        code = self._code()
        if code is None:
            return
        start_s = FST_SCORED_WINDOW_S[0]
        title = f"Time sampling for {code}"
        grid = SamplingGridScreen(
            title, self.workspace.actor, start_s, lambda e: self._sampled(grid, code, e)
        )
        self.app.push_screen(grid)

    def _sampled(self, grid: SamplingGridScreen, code: str, entry: SamplingEntry) -> None:
        """Record the typed bins as the manual score; a refusal keeps the grid as typed."""
        try:
            latency = measured(entry.latency, "latency", MANUAL_PRECISION_S, "s")
        except InvalidInputError as error:
            grid.refuse(error)
            return
        call_service(
            self,
            lambda: record_manual_score(
                self.workspace, self.study, code, None, entry.scorer, latency, bins=entry.bins
            ),
            lambda _: self._manual_scored(grid, code),
            title="Score not recorded",
            failed=grid.refuse,
        )

    def _manual_scored(self, form: FormScreen | SamplingGridScreen, code: str) -> None:
        if form.is_current:
            form.dismiss(None)
        self.notify(f"manual score recorded for {code}")
        self.action_refresh()
