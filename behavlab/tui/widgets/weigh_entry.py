"""The quick-weighing row: it names the animal under the cursor; Enter posts the typed grams."""

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label


class WeighEntry(Horizontal):
    """A label naming the animal to weigh and a number field; the screen records and moves on."""

    target: reactive[str] = reactive("")

    class Weighed(Message):
        """Grams were typed for the named animal."""

        def __init__(self, animal: str, grams: str) -> None:
            super().__init__()
            self.animal = animal
            self.grams = grams

    def compose(self) -> ComposeResult:
        """The label and the field."""
        yield Label("weigh: -", id="weigh-target")
        yield Input(placeholder="grams, then Enter", type="number", id="weigh-input")

    def watch_target(self, animal: str) -> None:
        """Name the animal the next weight is for."""
        self.query_one("#weigh-target", Label).update(f"weigh {animal or '-'}:")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Post the typed grams for the current animal and empty the field."""
        event.stop()
        if self.target and event.value.strip():
            self.post_message(self.Weighed(self.target, event.value))
        event.input.clear()
