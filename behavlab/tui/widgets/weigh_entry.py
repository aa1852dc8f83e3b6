"""The quick-weighing row: it names the animal under the cursor; Enter hands the typed grams to the screen."""

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

from behavlab.tui.widgets.entry_input import EntryInput

#: Called with the animal and the typed grams as Enter is read, before the next key is.
Weigh = Callable[[str, str], None]


class WeighEntry(Horizontal):
    """A label naming the animal to weigh and a number field; `weigh` records and moves the target on."""

    target: reactive[str] = reactive("")

    def __init__(self, weigh: Weigh, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._weigh = weigh

    def compose(self) -> ComposeResult:
        """The label and the field."""
        yield Label("weigh: -", id="weigh-target")
        yield EntryInput(self._commit, placeholder="grams, then Enter", type="number", id="weigh-input")

    def watch_target(self, animal: str) -> None:
        """Name the animal the next weight is for."""
        self.query_one("#weigh-target", Label).update(f"weigh {animal or '-'}:")

    def _commit(self, entry: EntryInput) -> None:
        """Empty the field and hand its grams over for the animal it was typed for."""
        grams = entry.value
        entry.clear()
        if self.target and grams.strip():
            self._weigh(self.target, grams)
