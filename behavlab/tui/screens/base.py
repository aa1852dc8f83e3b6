"""What every study screen shares: the study's name in the header, Escape back, service calls in workers."""

from collections.abc import Callable
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker

from behavlab.services import Workspace
from behavlab.services.display import visible
from behavlab.tui.calls import call_service

T = TypeVar("T")


class StudyScreen(Screen[None]):
    """A screen about one study; subclasses compose their body and load it in `action_refresh`."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("r", "refresh", "Refresh")]
    TITLE_TEXT = ""

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.study = study

    def compose(self) -> ComposeResult:
        """Header, the screen's body, and the keys."""
        yield Header()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The widgets between header and footer."""
        yield from ()

    def on_mount(self) -> None:
        """Name the study in the header and load the screen."""
        self.title = f"behavlab: {self.TITLE_TEXT}"
        self.sub_title = visible(self.study)
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload what the screen shows."""

    def call(self, call: Callable[[], T], done: Callable[[T], object], title: str) -> Worker[None]:
        """Run a service call in a thread worker (see `call_service`)."""
        return call_service(self, call, done, title=title)
