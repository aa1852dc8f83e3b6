"""Batch scoring progress: a bar of videos done and a line with frames per second and failures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import ProgressBar, Static

if TYPE_CHECKING:
    from behavlab.services.library_types import BatchProgress


def progress_text(progress: BatchProgress) -> str:
    """Videos done of the total, decoding speed and failed videos, as one line."""
    failed = f", {progress.videos_failed} failed" if progress.videos_failed else ""
    return f"{progress.videos_done}/{progress.videos_total} videos, {progress.fps:,.0f} frames/s{failed}"


class ScoringProgress(Horizontal):
    """Hidden until a scoring starts; then follows each report of the batch and keeps the last one."""

    class Update(Message):
        """A report of the batch runner, posted from the scoring thread (``post_message`` is thread-safe)."""

        def __init__(self, progress: BatchProgress) -> None:
            super().__init__()
            self.progress = progress

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._running = False

    def compose(self) -> ComposeResult:
        """The line and the bar."""
        yield Static("", id="scoring-text")
        yield ProgressBar(total=None, show_eta=False, id="scoring-bar")

    def on_mount(self) -> None:
        """Nothing to show before a scoring."""
        self.display = False

    def start(self) -> None:
        """Show an empty bar while the sessions to score are looked up."""
        self._running = True
        self.display = True
        self.query_one("#scoring-text", Static).update("scoring: looking up the sessions not yet scored")
        self.query_one("#scoring-bar", ProgressBar).update(total=None, progress=0)

    def on_scoring_progress_update(self, message: Update) -> None:
        """Move the bar to the videos done and update the line (reports after `finish` are late; dropped)."""
        message.stop()
        if not self._running:
            return
        self._draw(message.progress, "scoring")

    def finish(self, summary: str, last: BatchProgress | None) -> None:
        """Show the batch's last report (it may overtake its own message) and what the scoring did."""
        self._running = False
        if last is None:
            self.query_one("#scoring-text", Static).update(summary)
            self.query_one("#scoring-bar", ProgressBar).update(total=1, progress=0)
            return
        self._draw(last, "done", summary)

    def _draw(self, progress: BatchProgress, state: str, summary: str = "") -> None:
        parts = [summary] if summary else []
        if progress.videos_total or not summary:
            parts.append(progress_text(progress))
        self.query_one("#scoring-text", Static).update(f"{state}: " + "; ".join(parts))
        total = max(progress.videos_total, 1)
        done = total if progress.videos_total == 0 else progress.videos_done
        self.query_one("#scoring-bar", ProgressBar).update(total=total, progress=done)
