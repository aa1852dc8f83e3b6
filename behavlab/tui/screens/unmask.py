"""Unmask at study end: what is still open and what will be revealed, the passphrase and a confirmation.

Then the results screen takes its place (also when the screen opens on a study already unmasked).
"""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from behavlab.services import Unmasked, UnmaskReadiness, unmask_readiness, unmask_study
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.screens.results import ResultsScreen
from behavlab.tui.widgets.confirm import ConfirmScreen


class UnmaskScreen(StudyScreen):
    """Enter in the passphrase field asks for confirmation, then unmasks and opens the results."""

    TITLE_TEXT = "unmask"

    def compose_body(self) -> ComposeResult:
        """Open items, what unmasking reveals, and the form."""
        with Vertical(id="unmask-form"):
            yield Static("loading...", id="open-items")
            yield Static("", id="reveal")
            yield Label("reason to unmask with items open (empty when nothing is open)")
            yield Input(id="force-reason")
            yield Label("passphrase (key holder), then Enter")
            yield Input(password=True, id="unmask-passphrase")

    def action_refresh(self) -> None:
        """Reload the open items (or go to the results once unmasked)."""
        self.call(lambda: unmask_readiness(self.workspace, self.study), self._show, "Cannot read the study")

    def _show(self, view: UnmaskReadiness) -> None:
        if view.unmasked:
            self._open_results()
            return
        lines = view.items.lines()
        self.query_one("#open-items", Static).update(
            "open items:\n" + "\n".join(f"  {line}" for line in lines) if lines else "nothing is open"
        )
        self.query_one("#reveal", Static).update(
            f"Unmasking reveals the arm of each of the {view.n_coded} coded animals, checked against the "
            "commitment made at randomization, and is audited. The study is then locked: no more weights, "
            "doses, sessions or scores."
        )
        self.query_one("#unmask-passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the passphrase field asks for confirmation."""
        if event.input.id == "force-reason":
            self.query_one("#unmask-passphrase", Input).focus()
            return
        passphrase = event.value
        reason = self.query_one("#force-reason", Input).value.strip() or None
        self.app.push_screen(
            ConfirmScreen(f"Unmask {self.study} now? This cannot be undone."),
            lambda yes: self._unmask(passphrase, reason) if yes else None,
        )

    def _unmask(self, passphrase: str, reason: str | None) -> None:
        self.call(
            lambda: unmask_study(self.workspace, self.study, passphrase, force_reason=reason),
            self._unmasked,
            "Not unmasked",
        )

    def _unmasked(self, unmasked: Unmasked) -> None:
        self.notify(f"{unmasked.study} unmasked: {len(unmasked.arms_by_code)} animals revealed")
        self._open_results()

    def _open_results(self) -> None:
        self.app.switch_screen(ResultsScreen(self.workspace, self.study))
