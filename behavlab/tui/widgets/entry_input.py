"""An entry field that reads keys in the order they were typed, however fast they come.

Textual hands each key to the widget focused when the app reads it, and handles Enter and Tab only once the
key has bubbled back up to the app. A balance or a scanner types faster than that: the field would already
hold the next value when Enter commits, and the digits after a Tab would land in the field being left. This
field handles Enter and Tab itself, in order with the characters, and passes on any key that reaches it
after focus has moved away, so a value is only ever typed into the field that shows it.
"""

from collections.abc import Callable

from textual import events
from textual.widgets import Input
from textual.widgets._input import InputType

MOVES = {"tab": "next", "shift+tab": "previous"}


class EntryInput(Input):
    """A text field whose Enter hands its value to `commit` at once, before the next key is read."""

    def __init__(
        self,
        commit: Callable[["EntryInput"], None],
        *,
        value: str = "",
        placeholder: str = "",
        password: bool = False,
        type: InputType = "text",
        id: str | None = None,
    ) -> None:
        super().__init__(value=value, placeholder=placeholder, password=password, type=type, id=id)
        self._commit = commit

    async def _on_key(self, event: events.Key) -> None:
        if self.app.focused is not self:
            event.prevent_default()
            event.stop()
            self._pass_on(event)
        elif event.key == "enter":
            event.prevent_default()
            event.stop()
            self._commit(self)
        elif event.key in MOVES:
            event.prevent_default()
            event.stop()
            moved = self.screen.focus_next if MOVES[event.key] == "next" else self.screen.focus_previous
            moved()
        else:
            await super()._on_key(event)

    def _pass_on(self, event: events.Key) -> None:
        """Send a key typed after focus moved on to the widget that has it now (or to the screen shown)."""
        target = self.app.focused or self.app.screen
        target._forward_event(events.Key(event.key, event.character))
