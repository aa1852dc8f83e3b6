"""A modal form of labelled fields: Enter moves to the next field and saves on the last; Escape cancels."""

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

FormValues = dict[str, str]
CHECKED = "yes"


@dataclass(frozen=True)
class Field:
    """One field: its key in the result, its label, a start value; `check` makes it a yes/no box."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False
    check: bool = False


class FormScreen(ModalScreen[FormValues | None]):
    """Returns the typed values by field name (a checked box as "yes"), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, title: str, fields: Sequence[Field], note: str = "") -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._note = note

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
                yield Input(
                    value=field.value,
                    placeholder=field.placeholder,
                    password=field.password,
                    id=f"field-{field.name}",
                )
            yield Static("Enter: next field, save on the last; Ctrl+S: save; Escape: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next text field, or saves from the last one."""
        event.stop()
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        """Close the form with the values."""
        values: FormValues = {}
        for field in self._fields:
            if field.check:
                checked = self.query_one(f"#field-{field.name}", Checkbox).value
                values[field.name] = CHECKED if checked else ""
            else:
                values[field.name] = self.query_one(f"#field-{field.name}", Input).value.strip()
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Close the form without values."""
        self.dismiss(None)
