"""What the entry grids share: a modal of one-line cells, each checked as Enter commits it, in typing order.

Enter checks the cell it was typed in at once, before the next key is read (`EntryInput`): an accepted cell
hands focus to the next cell (saving from the last), a refused one keeps it and names the cell and what is
accepted, so a value typed fast never lands in a cell it was not meant for. Ctrl+S saves, Escape cancels; a
refused save keeps the dialog and everything typed in it.
"""

from abc import abstractmethod
from collections.abc import Callable

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from behavlab.errors import BehavlabError
from behavlab.tui.calls import notice_text
from behavlab.tui.widgets.entry_input import EntryInput

REFUSED = "refused"
CELL_CLASS = "cell"
HINT = "Enter: check the cell and go to the next, save on the last; Ctrl+S: save; Escape: cancel"


def grid_cell(
    commit: Callable[[EntryInput], None], id: str, value: str = "", placeholder: str = ""
) -> EntryInput:
    """A one-line entry cell of a grid; `commit` gets it as Enter is read."""
    cell = EntryInput(commit, value=value, placeholder=placeholder, id=id)
    return cell.add_class(CELL_CLASS)


class GridScreen(ModalScreen[None]):
    """A dialog of entry cells; subclasses compose them (with a `refusal_line`) and save them."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]
    DEFAULT_CSS = """
    GridScreen {
        align: center middle;
    }
    GridScreen .cell {
        height: 1;
        border: none;
        padding: 0 1;
    }
    GridScreen .cell.refused {
        background: $error 40%;
    }
    GridScreen .cell:focus {
        background: $accent 50%;
    }
    """

    def refusal_line(self) -> Static:
        """The hidden line that shows why a cell or a save was refused."""
        refusal = Static("", id="refusal", classes="refusal", markup=False)
        refusal.display = False
        return refusal

    def check_cell(self, entry: EntryInput, check: Callable[[], object]) -> None:
        """Run `check` on the committed cell: move on when it passes, keep the cell and say why when not."""
        try:
            check()
        except BehavlabError as error:
            entry.add_class(REFUSED)
            self.refuse(error)
            return
        entry.remove_class(REFUSED)
        self.query_one("#refusal", Static).display = False
        self.advance(entry)

    def advance(self, entry: EntryInput) -> None:
        """Focus the entry field after `entry`, or save from the last one."""
        entries = list(self.query(EntryInput))
        position = entries.index(entry)
        if position + 1 < len(entries):
            self.set_focus(entries[position + 1])
        else:
            self.action_save()

    def refuse(self, error: Exception) -> None:
        """Show why a cell or the save was refused, keeping everything typed."""
        refusal = self.query_one("#refusal", Static)
        refusal.update(notice_text(error))
        refusal.display = True

    @abstractmethod
    def action_save(self) -> None:
        """Hand the typed values over to be checked whole and stored."""

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
