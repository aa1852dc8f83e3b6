"""Unmask at study end: what is still open and what will be revealed, the passphrase and a confirmation;
then the revealed allocation and per-arm immobility."""

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label, Static

from behavlab.services import OpenItems, Unmasked, list_animals, open_items, unmask_study
from behavlab.tui.outcomes import FstOutcomes, fst_outcomes, immobility_text
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.confirm import ConfirmScreen


@dataclass(frozen=True)
class UnmaskView:
    """What the screen needs before unmasking, or to show results after it."""

    items: OpenItems
    n_coded: int
    outcomes: FstOutcomes


class UnmaskScreen(StudyScreen):
    """Enter in the passphrase field asks for confirmation, then unmasks; results replace the form."""

    TITLE_TEXT = "unmask"

    def compose_body(self) -> ComposeResult:
        """Open items, the form, and the (hidden until unmasked) results."""
        with Vertical(id="unmask-form"):
            yield Static("loading...", id="open-items")
            yield Static("", id="reveal")
            yield Label("reason to unmask with items open (empty when nothing is open)")
            yield Input(id="force-reason")
            yield Label("passphrase (key holder), then Enter")
            yield Input(password=True, id="unmask-passphrase")
        with Vertical(id="results"):
            yield Static("", id="results-title")
            summary: DataTable[str] = DataTable(id="arm-summary", show_cursor=False)
            summary.add_columns("arm", "n scored", "immobility mean s", "SD s")
            yield summary
            allocation: DataTable[str] = DataTable(id="allocation", cursor_type="row", zebra_stripes=True)
            allocation.add_columns("code", "arm", "immobile s")
            yield allocation

    def action_refresh(self) -> None:
        """Reload the open items, or the results once unmasked."""
        self.call(self._load, self._show, "Cannot read the study")

    def _load(self) -> UnmaskView:
        coded = [a for a in list_animals(self.workspace, self.study) if a.blind_code]
        return UnmaskView(
            open_items(self.workspace, self.study), len(coded), fst_outcomes(self.workspace, self.study)
        )

    def _show(self, view: UnmaskView) -> None:
        if view.outcomes.arm_of:
            self._show_results(view.outcomes)
            return
        self.query_one("#results").display = False
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
        self.action_refresh()

    def _show_results(self, outcomes: FstOutcomes) -> None:
        self.query_one("#unmask-form").display = False
        self.query_one("#results").display = True
        self.query_one("#results-title", Static).update(
            "Unmasked. FST immobility by arm (latest score per method, first method per animal):"
        )
        summary = self.query_one("#arm-summary", DataTable)
        summary.clear()
        for arm in outcomes.arm_summaries():
            sd = "-" if arm.sd_s is None else f"{arm.sd_s:.1f}"
            summary.add_row(arm.arm, str(arm.n), f"{arm.mean_s:.1f}", sd)
        allocation = self.query_one("#allocation", DataTable)
        allocation.clear()
        for code, arm in sorted(outcomes.arm_of.items()):
            allocation.add_row(code, arm, immobility_text(outcomes.immobility_s.get(code, {})))
