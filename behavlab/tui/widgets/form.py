"""A modal form of labelled fields: Enter moves to the next text field and saves on the last; Escape cancels.

A field is typed text, a yes/no box, or a choice among fixed values (Tab reaches it, Enter opens it).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, Select, Static

from behavlab.tui.calls import notice_text
from behavlab.tui.widgets.entry_input import EntryInput

FormValues = dict[str, str]
CHECKED = "yes"


@dataclass(frozen=True)
class Field:
    """One field: its key in the result, its label, a start value; `check` makes it a yes/no box.

    With `choices` it is a choice among them; `blank` then names the choice of none (its value "").
    """

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False
    check: bool = False
    choices: tuple[str, ...] = ()
    blank: str = ""


class FormScreen(ModalScreen[FormValues | None]):
    """Returns the typed values by field name (a checked box as "yes"), or None when cancelled.

    With `submit`, saving passes the values to it and leaves the form open: the caller closes it on success
    and calls `refuse` on a refusal, so what was typed stays.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        note: str = "",
        submit: Callable[[FormValues], object] | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._note = note
        self._submit = submit

    def compose(self) -> ComposeResult:
        """The title, an optional note, then each field under its label."""
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="title")
            if self._note:
                yield Static(self._note, classes="note")
            for field in self._fields:
                if field.check:
                    yield Checkbox(field.label, value=field.value == CHECKED, id=f"field-{field.name}")
                    continue
                yield Label(field.label)
                if field.choices:
                    yield _choice(field)
                    continue
                yield EntryInput(
                    self._enter,
                    value=field.value,
                    placeholder=field.placeholder,
                    password=field.password,
                    id=f"field-{field.name}",
                )
            refusal = Static("", id="refusal", classes="refusal", markup=False)
            refusal.display = False
            yield refusal
            yield Static("Enter: next field, save on the last; Ctrl+S: save; Escape: cancel", classes="hint")

    def _enter(self, entry: EntryInput) -> None:
        """Enter moves on to the next text field at once, or saves from the last one."""
        inputs = list(self.query(EntryInput))
        position = inputs.index(entry)
        if position + 1 < len(inputs):
            self.set_focus(inputs[position + 1])
        else:
            self.action_save()

    def action_save(self) -> None:
        """Close the form with the values."""
        values: FormValues = {}
        for field in self._fields:
            if field.check:
                checked = self.query_one(f"#field-{field.name}", Checkbox).value
                values[field.name] = CHECKED if checked else ""
            elif field.choices:
                choice = self.query_one(f"#field-{field.name}", Select)
                values[field.name] = "" if choice.is_blank() else str(choice.value)
            else:
                values[field.name] = self.query_one(f"#field-{field.name}", EntryInput).value.strip()
        if self._submit is None:
            self.dismiss(values)
            return
        self.query_one("#refusal", Static).display = False
        self._submit(values)

    def refuse(self, error: Exception) -> None:
        """Show why the values were refused, keeping the form open with them."""
        refusal = self.query_one("#refusal", Static)
        refusal.update(notice_text(error))
        refusal.display = True

    def action_cancel(self) -> None:
        """Close the form without values."""
        self.dismiss(None)


def _choice(field: Field) -> Select[str]:
    """A field's choice among its values, starting on its value (on none when it has none and may)."""
    return Select(
        [(choice, choice) for choice in field.choices],
        prompt=field.blank or "choose",
        allow_blank=bool(field.blank),
        value=field.value if field.value in field.choices else Select.NULL,
        id=f"field-{field.name}",
    )
