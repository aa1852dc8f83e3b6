"""The help screen: the keys that work on the screen it was opened from."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    """Lists the active key bindings; Escape or ? closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._keys = keys

    def compose(self) -> ComposeResult:
        """A titled table of key -> action."""
        with Vertical(id="help"):
            yield Static("Keys", classes="title")
            table: DataTable[str] = DataTable(show_cursor=False)
            table.add_columns("key", "action")
            table.add_rows(self._keys)
            yield table
