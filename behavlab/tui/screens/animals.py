"""The cohort: a table of every animal (code, cage, sex, last weight, flags).

Roster import; quick weights, to the study's balance precision; exclusions and voided weights, with their
reason. A scanned label (or a typed code and Enter) puts the cursor on its animal, ready to weigh. / shows
only the animals whose roster ID, code or cage holds some text (a cage to weigh in turn), sorted by a column;
the database filters and sorts (`AnimalView`).
"""

from collections import deque
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from behavlab.errors import InvalidInputError
from behavlab.services import (
    RosterImport,
    WeighingSummary,
    Workspace,
    exclude_animal,
    get_study,
    import_roster,
)
from behavlab.services.animal_table import AnimalLine
from behavlab.services.animal_table import list_animal_lines as load_animals
from behavlab.services.animal_view import AnimalOrder, AnimalView
from behavlab.services.animals import record_weight
from behavlab.services.display import local_minute
from behavlab.services.precision import WEIGHT_PRECISION_G, check_weight
from behavlab.services.void_targets import latest_weight
from behavlab.tui.calls import call_service, notify_refusal
from behavlab.tui.parse import moment, number
from behavlab.tui.screens.base import ScanningScreen
from behavlab.tui.widgets.form import CHECKED, Field, FormScreen, FormValues
from behavlab.tui.widgets.row_table import RowTable
from behavlab.tui.widgets.void_dialog import void_with_reason
from behavlab.tui.widgets.weigh_entry import WeighEntry

COLUMNS = ("animal", "code", "cage", "sex", "last g", "flags")
LAST_WEIGHT, FLAGS = "last g", "flags"


def animal_cells(animal: AnimalLine) -> tuple[str, ...]:
    """One table row; the code is empty until randomization."""
    return (
        animal.label,
        animal.blind_code or "",
        animal.cage or "",
        animal.sex,
        "" if animal.last_weight_g is None else f"{animal.last_weight_g:.1f}",
        flags(animal),
    )


def flags(animal: AnimalLine) -> str:
    """Welfare and exclusion flags as short text."""
    shown = ["weight loss"] if animal.weight_loss_flag else []
    if animal.exclusion_reason is not None:
        shown.append(f"excluded: {animal.exclusion_reason}")
    return "; ".join(shown)


class AnimalsScreen(ScanningScreen):
    """Keyboard-first cohort work: w starts weighing at the cursor, Enter records and moves down."""

    TITLE_TEXT = "animals"
    BINDINGS = [
        Binding("i", "import_roster", "Import roster"),
        Binding("w", "weigh", "Weigh"),
        Binding("x", "exclude", "Exclude"),
        Binding("v", "void_weight", "Void weight"),
        Binding("slash", "choose_view", "Show"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._animals: dict[str, AnimalLine] = {}
        self._to_record: deque[tuple[str, float]] = deque()
        self._recording = False
        self._precision_g = WEIGHT_PRECISION_G
        self._view = AnimalView()

    def compose_body(self) -> ComposeResult:
        """The animal table, the weighing row and a status line."""
        yield RowTable(COLUMNS, id="animals")
        yield WeighEntry(self._weigh, id="weigh")
        yield Static("", id="status", markup=False)

    def action_refresh(self) -> None:
        """Reload the cohort."""
        self.query_one("#status", Static).update("loading animals...")
        self.call(self._load, self._show, "Cannot list animals")

    def _load(self) -> tuple[Sequence[AnimalLine], float]:
        """The cohort and the study's balance precision (g), which quick weights are checked against."""
        precision_g = get_study(self.workspace, self.study).study.weight_precision_g
        return load_animals(self.workspace, self.study, self._view), precision_g

    def _show(self, loaded: tuple[Sequence[AnimalLine], float]) -> None:
        animals, self._precision_g = loaded
        was_on = self._current()
        self._animals = {animal.label: animal for animal in animals}
        table = self.query_one("#animals", RowTable)
        table.set_rows(COLUMNS, list(map(animal_cells, animals)), [animal.label for animal in animals])
        if was_on in self._animals:  # a new order puts it elsewhere: the cursor stays on the animal
            table.move_cursor(table.get_row_index(was_on))
        self._retarget()
        excluded = sum(animal.excluded for animal in animals)
        shown = f"{len(animals)} animals"
        if self._view.narrowed:
            shown += f" matching {self._view.matching.strip()!r} (/ to show all)"
        if self._view.order is not AnimalOrder.ANIMAL:
            shown += f", by {self._view.order.value}"
        self.query_one("#status", Static).update(f"{shown}, {excluded} excluded")

    def _current(self) -> str | None:
        table = self.query_one("#animals", RowTable)
        return table.row_key(table.cursor_row) if table.row_count else None

    def _retarget(self) -> None:
        self.query_one(WeighEntry).target = self._current() or ""

    def on_row_table_row_highlighted(self) -> None:
        """The weighing row follows the cursor."""
        self._retarget()

    def action_leave(self) -> None:
        """Escape leaves the weighing field for the table, and the table for the dashboard."""
        if self.query_one("#weigh-input").has_focus:
            self.query_one("#animals", RowTable).focus()
        else:
            self.app.pop_screen()

    def jump_to(self, code: str) -> None:
        """Put the cursor and the weighing field on the scanned animal: its weight is typed next."""
        label = next((label for label, animal in self._animals.items() if animal.blind_code == code), None)
        if label is None:
            hidden = " or / to show all" if self._view.narrowed else ""
            self.not_shown(code, f"in the cohort shown: press r to reload{hidden}")
            return
        table = self.query_one("#animals", RowTable)
        table.move_cursor(table.get_row_index(label))
        self._retarget()
        self.action_weigh()

    def action_choose_view(self) -> None:
        """Ask which animals to show (text in their roster ID, code or cage) and the column to sort by."""
        fields = [
            Field("matching", "roster ID, code or cage contains (empty: every animal)", self._view.matching),
            Field("order", "sorted by", self._view.order.value, choices=tuple(AnimalOrder)),
        ]
        self.app.push_screen(FormScreen("Show animals", fields), self._show_view)

    def _show_view(self, values: FormValues | None) -> None:
        if values:
            self._view = AnimalView(values["matching"], AnimalOrder(values["order"]))
            self.action_refresh()

    def action_weigh(self) -> None:
        """Put the cursor in the weighing field for the highlighted animal."""
        self.query_one("#weigh-input").focus()

    def _weigh(self, animal: str, typed: str) -> None:
        """Check the typed grams, move to the next animal at once, then record the weight in the background.

        A refused weight keeps the cursor on its animal. Nothing waits for the database, so the next value
        typed goes to the next animal however fast it comes.
        """
        try:
            grams = number(typed, f"weight of {animal}")
            check_weight(grams, animal, self._precision_g)
        except InvalidInputError as error:
            notify_refusal(self, error, "Weight not recorded")
            return
        self._move_past(animal)
        self._to_record.append((animal, grams))
        if not self._recording:
            self._record_next()

    def _record_next(self, _failure: Exception | None = None) -> None:
        """Record the oldest weight waiting, one at a time, so the log keeps the order they were typed in."""
        self._recording = bool(self._to_record)
        if not self._to_record:
            return
        animal, grams = self._to_record.popleft()
        call_service(
            self,
            lambda: record_weight(self.workspace, self.study, animal, grams),
            lambda summary: self._weighed(animal, grams, summary),
            title="Weight not recorded",
            failed=self._record_next,
        )

    def _move_past(self, animal: str) -> None:
        """Put the cursor and the weighing row on the animal after `animal`; none after the last one."""
        table = self.query_one("#animals", RowTable)
        index = table.get_row_index(animal)
        if index + 1 < table.row_count:
            table.move_cursor(index + 1)
            self._retarget()
        else:
            self.query_one(WeighEntry).target = ""

    def _weighed(self, animal: str, grams: float, summary: WeighingSummary) -> None:
        self._redraw(animal, last_weight_g=grams, weight_loss_flag=bool(summary.flagged))
        if summary.flagged:
            self.notify(f"{animal} has lost more than 15% of its baseline weight", severity="warning")
        self._record_next()

    def _redraw(self, animal: str, **recorded: Any) -> None:
        """Show what was just recorded of `animal` in its row; one the view no longer shows is left out."""
        line = self._animals.get(animal)
        if line is None:
            return
        self._animals[animal] = line = line._replace(**recorded)
        cells = dict(zip(COLUMNS, animal_cells(line), strict=True))
        table = self.query_one("#animals", RowTable)
        for column in (LAST_WEIGHT, FLAGS):
            table.update_cell(animal, column, cells[column])

    def action_void_weight(self) -> None:
        """Void the highlighted animal's latest weight, named in the dialog, with its reason; then reload."""
        animal = self._current()
        if animal is None:
            return
        void_with_reason(
            self,
            self.workspace,
            self.study,
            lambda: latest_weight(self.workspace, self.study, animal),
            self.action_refresh,
        )

    def action_import_roster(self) -> None:
        """Ask for a roster file and when its weights were measured (shown: now); a refusal keeps both."""
        fields = [
            Field("path", "roster file (.csv or .xlsx)", placeholder="/path/to/roster.csv"),
            Field(
                "weighed_at",
                "weights measured at, for rows without weighed_at (YYYY-MM-DD HH:MM, local time)",
                value=local_minute(datetime.now().astimezone()),
            ),
        ]
        form = FormScreen("Import a roster", fields, submit=lambda values: self._import(form, values))
        self.app.push_screen(form)

    def _import(self, form: FormScreen, values: FormValues) -> None:
        def import_() -> tuple[RosterImport, datetime]:
            weighed_at = moment(values["weighed_at"], "weights measured at")
            path = Path(values["path"]).expanduser()
            return import_roster(self.workspace, self.study, path, weighed_at=weighed_at), weighed_at

        call_service(
            self,
            import_,
            lambda imported: self._imported(form, *imported),
            title="Roster not imported",
            failed=form.refuse,
        )

    def _imported(self, form: FormScreen, result: RosterImport, weighed_at: datetime) -> None:
        if form.is_current:
            form.dismiss(None)
        when = f", rows without weighed_at measured at {local_minute(weighed_at)}" if result.n_weights else ""
        self.notify(f"imported {result.n_animals} animals ({result.n_weights} with a weight{when})")
        self.action_refresh()

    def action_exclude(self) -> None:
        """Record an exclusion of the highlighted animal, with its reason."""
        animal = self._current()
        if animal is None:
            return
        fields = [
            Field("reason", "reason", placeholder="e.g. fight wound on day 2"),
            Field("a_priori", "the criterion was set before the study", check=True),
        ]
        self.app.push_screen(
            FormScreen(f"Exclude {animal}", fields, note="The animal stays on the roster."),
            lambda values: self._exclude(animal, values),
        )

    def _exclude(self, animal: str, values: FormValues | None) -> None:
        if not values:
            return
        self.call(
            lambda: exclude_animal(
                self.workspace, self.study, animal, values["reason"], values["a_priori"] == CHECKED
            ),
            lambda exclusion: self._excluded(animal, exclusion.reason),
            "Exclusion not recorded",
        )

    def _excluded(self, animal: str, reason: str) -> None:
        self._redraw(animal, exclusion_reason=reason)
        self.notify(f"{animal} excluded: {reason}", markup=False)
