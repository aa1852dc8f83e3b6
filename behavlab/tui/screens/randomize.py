"""Randomize: choose the method, strata and block sizes, preview the balance (arms as "arm 1"), then seal.

A study run in cohorts draws one cohort at a time, chosen among those not yet randomized. Randomizing without
a protocol plan is a choice the key holder confirms, recorded with the randomization. Sealing takes the key
holder's passphrase typed twice and, if asked, writes the preparer's sheet once.
"""

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from behavlab.errors import InvalidInputError
from behavlab.services import (
    DEFAULT_BLOCK_MULTIPLES,
    DEFAULT_RANDOMIZATION_METHOD,
    DEFAULT_STRATA,
    RANDOMIZATION_METHODS,
    CohortView,
    CommittedRandomization,
    RandomizationDraft,
    RandomizationOptions,
    Workspace,
    check_sealing_passphrase,
    commit_randomization,
    draft_randomization,
    list_cohorts,
    parse_block_multiples,
)
from behavlab.services.display import local_minute, visible
from behavlab.services.study_state import RecordedRandomization, recorded_randomizations
from behavlab.tui.calls import notice_text
from behavlab.tui.parse import optional_int, words
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.confirm import ConfirmScreen
from behavlab.tui.widgets.passphrase import PassphraseTwice

BALANCE_COLUMNS = ("arm", "n", "F", "M", "weighed", "weight g", "cages")
#: The option fields whose change voids the preview and whose Enter previews again.
OPTION_INPUTS = ("strata", "block-multiples", "seed")
#: The widgets of the randomization form, hidden once the study is randomized.
FORM_IDS = ("randomize-options", "preview-status", "balance", "smd", "seal")
WAIVER_QUESTION = (
    "Randomize without a protocol plan? The plan (outcome, test, sample size) is then not sealed before the "
    "allocation; the waiver is recorded with the randomization and in the audit log."
)


def balance_rows(draft: RandomizationDraft) -> list[tuple[str, ...]]:
    """The balance table: one row per arm, named by number only."""
    rows = []
    for arm in draft.balance.arms:
        weight = "n/a"
        if arm.weight_mean_g is not None:
            spread = "" if arm.weight_sd_g is None else f" +- {arm.weight_sd_g:.1f}"
            weight = f"{arm.weight_mean_g:.1f}{spread}"
        counts = (arm.n, arm.females, arm.males, arm.n_weighed)
        rows.append((arm.label, *(str(count) for count in counts), weight, str(arm.cages)))
    return rows


def recorded_lines(recorded: Sequence[RecordedRandomization], complete: bool = True) -> list[str]:
    """How each committed randomization was made; the draw, the balance and the allocation stay sealed.

    `complete` is False while cohorts wait for their own draw.
    """
    lines = [
        f"randomization {r.sequence}: {visible(r.method)}, strata {visible(r.strata) or 'none'}, "
        f"{r.n_animals} animals in {r.n_arms} arms"
        f"{', without a protocol (waiver recorded)' if r.protocol_waived else ''}; committed "
        f"{local_minute(r.created_at)} by {visible(r.created_by)}"
        for r in recorded
    ]
    if not complete:
        return [*lines, "", "Cohorts not yet randomized are drawn below, each on its own."]
    return [
        *lines,
        "",
        "The study is randomized: codes are assigned and the key is sealed with the balance and the "
        "allocation until unmasking.",
    ]


class RandomizeScreen(StudyScreen):
    """Enter in the option fields previews; Enter in the second passphrase field asks to commit."""

    TITLE_TEXT = "randomize"
    BINDINGS = [Binding("ctrl+r", "preview", "Preview balance")]

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._draft: RandomizationDraft | None = None
        self._waiver_confirmed = False

    def compose_body(self) -> ComposeResult:
        """Options, balance preview, passphrase and preparer sheet."""
        with Horizontal(id="randomize-options"):
            with Vertical(id="cohort-choice") as cohort_choice:
                cohort_choice.display = False
                yield Label("cohort (drawn on its own)")
                yield Select[str]((), prompt="choose a cohort", id="cohort")
            with Vertical():
                yield Label("method")
                yield Select(
                    ((m, m) for m in RANDOMIZATION_METHODS),
                    value=DEFAULT_RANDOMIZATION_METHOD,
                    allow_blank=False,
                    id="method",
                )
            with Vertical():
                yield Label("strata (sex, cage)")
                yield Input(", ".join(DEFAULT_STRATA), id="strata")
                yield Label("block sizes (x arms)")
                yield Input(", ".join(map(str, DEFAULT_BLOCK_MULTIPLES)), id="block-multiples")
            with Vertical():
                yield Label("seed (empty: drawn)")
                yield Input(type="integer", id="seed")
                yield Checkbox("bare seed", id="bare-seed")
                yield Checkbox("without a protocol (recorded)", id="no-protocol")
        yield Static("Ctrl+R or Enter in a field: preview the balance", id="preview-status")
        table: DataTable[str] = DataTable(id="balance", show_cursor=False)
        table.add_columns(*BALANCE_COLUMNS)
        yield table
        yield Static("", id="smd")
        with Horizontal(id="seal"):
            yield PassphraseTwice(id="passphrase")
            with Vertical():
                yield Label("preparer's sheet (optional, written once)")
                yield Input(placeholder="/path/to/preparer.csv", id="preparer")
        recorded = Static("", id="recorded", markup=False)
        recorded.display = False
        yield recorded

    def on_mount(self) -> None:
        """Name the study, look for recorded randomizations and cohorts; the preview waits for the user."""
        self.title = f"behavlab: {self.TITLE_TEXT}"
        self.sub_title = visible(self.study)
        self.call(
            lambda: (
                recorded_randomizations(self.workspace, self.study),
                list_cohorts(self.workspace, self.study),
            ),
            self._show_recorded,
            "Cannot read the study",
        )

    def _show_recorded(self, loaded: tuple[Sequence[RecordedRandomization], Sequence[CohortView]]) -> None:
        """Offer the cohorts not yet drawn; once all are drawn, show how instead of the form."""
        recorded, cohorts = loaded
        waiting = [cohort.name for cohort in cohorts if not cohort.randomized]
        if waiting:
            choice = self.query_one("#cohort", Select)
            choice.set_options((visible(name), name) for name in waiting)
            choice.value = waiting[0]
            self.query_one("#cohort-choice").display = True
        if not recorded:
            return
        if not waiting:
            for form_id in FORM_IDS:
                self.query_one(f"#{form_id}").display = False
        record = self.query_one("#recorded", Static)
        record.update("\n".join(recorded_lines(recorded, complete=not waiting)))
        record.display = True

    def _options(self) -> RandomizationOptions:
        cohort = self.query_one("#cohort", Select).value
        return RandomizationOptions(
            method=str(self.query_one("#method", Select).value),
            strata=words(self.query_one("#strata", Input).value),
            block_multiples=parse_block_multiples(
                self.query_one("#block-multiples", Input).value, "block sizes"
            ),
            seed=optional_int(self.query_one("#seed", Input).value, "seed"),
            bare_seed=self.query_one("#bare-seed", Checkbox).value,
            no_protocol=self.query_one("#no-protocol", Checkbox).value and self._waiver_confirmed,
            cohort=cohort if isinstance(cohort, str) else None,
        )

    def on_select_changed(self) -> None:
        """A new method or cohort voids the preview."""
        self._void()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Either box voids the preview; a bare seed is warned about, a waiver of the protocol confirmed."""
        self._void()
        if event.checkbox.id == "no-protocol":
            self._ask_waiver(event.checkbox)
        elif event.value:
            self.notify(
                "a bare seed is used as given: it can be found by trying likely seeds, and it reproduces "
                "the allocation for anyone who learns it; unticked, it is mixed with OS randomness",
                severity="warning",
                timeout=10,
            )

    def _ask_waiver(self, box: Checkbox) -> None:
        """Ticking the waiver asks to confirm it; declined, the box is unticked."""
        if not box.value:
            self._waiver_confirmed = False
            return
        if self._waiver_confirmed:
            return

        def answered(yes: bool | None) -> None:
            self._waiver_confirmed = bool(yes)
            box.value = bool(yes)

        self.app.push_screen(ConfirmScreen(WAIVER_QUESTION), answered)

    def on_input_changed(self, event: Input.Changed) -> None:
        """New strata, block sizes or seed void the preview."""
        if event.input.id in OPTION_INPUTS:
            self._void()

    def _void(self) -> None:
        self._draft = None
        self.query_one("#balance", DataTable).clear()
        self.query_one("#smd", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in an option field previews the balance."""
        if event.input.id in OPTION_INPUTS:
            self.action_preview()

    def action_preview(self) -> None:
        """Draw the allocation (nothing stored) and show its balance."""
        self.call(
            lambda: draft_randomization(self.workspace, self.study, self._options()),
            self._show_draft,
            "Cannot randomize",
        )

    def _show_draft(self, draft: RandomizationDraft) -> None:
        self._draft = draft
        for warning in draft.warnings:
            self.notify(warning, severity="warning", timeout=15)
        table = self.query_one("#balance", DataTable)
        table.clear()
        table.add_rows(balance_rows(draft))
        smd = [
            f"weight SMD {d.first} vs {d.second}: {'n/a' if d.smd is None else f'{d.smd:+.2f}'}"
            for d in draft.balance.weight_differences
        ]
        self.query_one("#smd", Static).update("\n".join(smd))
        self.query_one("#preview-status", Static).update(
            f"{draft.n_animals} animals, {len(draft.arms)} arms. For the key holder only: the balance is "
            "sealed with the key, not stored, and each preview is counted. Type the passphrase twice"
        )
        self.query_one("#passphrase-1", Input).focus()

    def on_passphrase_twice_confirmed(self, message: PassphraseTwice.Confirmed) -> None:
        """Ask before sealing the previewed allocation."""
        draft = self._draft
        if draft is None:
            self.notify("preview the balance first (Ctrl+R)", severity="error")
            return
        try:
            check_sealing_passphrase(draft, message.passphrase)
        except InvalidInputError as error:
            self.notify(notice_text(error), title="Passphrase not accepted", severity="error", timeout=15)
            self.query_one(PassphraseTwice).clear()
            return
        sheet_text = self.query_one("#preparer", Input).value.strip()
        sheet = Path(sheet_text).expanduser() if sheet_text else None
        question = (
            f"Commit this allocation of {draft.n_animals} animals? Codes are assigned and the key is sealed; "
            "the study cannot be randomized again."
        )
        self.app.push_screen(
            ConfirmScreen(question),
            lambda yes: self._commit(draft, message.passphrase, sheet) if yes else None,
        )

    def _commit(self, draft: RandomizationDraft, passphrase: str, sheet: Path | None) -> None:
        self.call(
            lambda: commit_randomization(self.workspace, draft, passphrase, preparer_sheet=sheet),
            self._committed,
            "Not randomized",
        )

    def _committed(self, committed: CommittedRandomization) -> None:
        sheet = committed.preparer_sheet
        written = f"; preparer's sheet written to {sheet}" if sheet else ""
        self.notify(
            f"randomized: {len(committed.codes)} codes, commitment {committed.commitment[:12]}...{written}",
            timeout=10,
        )
        self.app.pop_screen()
