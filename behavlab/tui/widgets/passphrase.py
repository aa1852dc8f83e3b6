"""The key holder's passphrase typed twice: Enter in the second field posts it only when both match."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label


class PassphraseTwice(Vertical):
    """Two hidden fields; a mismatch clears both and says so, a match posts `Confirmed`."""

    class Confirmed(Message):
        """Both fields hold the same passphrase."""

        def __init__(self, passphrase: str) -> None:
            super().__init__()
            self.passphrase = passphrase

    def compose(self) -> ComposeResult:
        """Two labelled password inputs."""
        yield Label("passphrase (key holder)")
        yield Input(password=True, id="passphrase-1")
        yield Label("passphrase again")
        yield Input(password=True, id="passphrase-2")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the first field moves to the second; in the second, compare and post."""
        event.stop()
        first, second = self.query_one("#passphrase-1", Input), self.query_one("#passphrase-2", Input)
        if event.input is first:
            second.focus()
            return
        if first.value != second.value:
            self.app.notify("the two passphrases differ; type it twice again", severity="error")
            self.clear()
            return
        self.post_message(self.Confirmed(first.value))

    def clear(self) -> None:
        """Empty both fields and put the cursor in the first."""
        first = self.query_one("#passphrase-1", Input)
        first.clear()
        self.query_one("#passphrase-2", Input).clear()
        first.focus()
