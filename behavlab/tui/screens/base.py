"""What every study screen shares: the study's name in the header, Escape back, service calls in workers.

A `ScanningScreen` also takes scans (see `behavlab.tui.widgets.scan_reader`): a scanned label or typed code
jumps to its animal.
"""

from abc import abstractmethod
from collections.abc import Callable
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker

from behavlab.errors import BehavlabError
from behavlab.services import Workspace
from behavlab.services.display import visible
from behavlab.services.scanning import ScanContext, scan_context, scanned_animal
from behavlab.tui.calls import call_service, notify_refusal

T = TypeVar("T")
SCAN_REFUSED = "Scan refused"


class StudyScreen(Screen[None]):
    """A screen about one study; subclasses compose their body and load it in `action_refresh`."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("r", "refresh", "Refresh")]
    TITLE_TEXT = ""
    #: Whether mounting loads the screen; False for a screen that loads on every resume (first show too).
    LOAD_ON_MOUNT = True

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
        if self.LOAD_ON_MOUNT:
            self.action_refresh()

    def action_refresh(self) -> None:
        """Reload what the screen shows."""

    def call(self, call: Callable[[], T], done: Callable[[T], object], title: str) -> Worker[None]:
        """Run a service call in a thread worker (see `call_service`)."""
        return call_service(self, call, done, title=title)


class ScanningScreen(StudyScreen):
    """A study screen on which a scan jumps to the animal it names and opens its entry (`jump_to`)."""

    def __init__(self, workspace: Workspace, study: str) -> None:
        super().__init__(workspace, study)
        self._scan_context: ScanContext | None = None

    def on_mount(self) -> None:
        """Load what reading a scan needs: the study's short ID and codes.

        Textual then calls `StudyScreen.on_mount` too (a handler runs for each class that defines it), which
        loads the screen: calling it here as well would load everything twice.
        """
        self.call(lambda: scan_context(self.workspace, self.study), self._scan_context_loaded, SCAN_REFUSED)

    def _scan_context_loaded(self, context: ScanContext) -> None:
        self._scan_context = context

    def scanned(self, text: str) -> None:
        """Jump to the animal a scan names; a refused scan is shown and changes nothing."""
        code = self.scanned_code(text)
        if code is not None:
            self.jump_to(code)

    def scanned_code(self, text: str) -> str | None:
        """The blind code of the study's animal a scan names, or None once its refusal is shown."""
        if self._scan_context is None:
            self.notify("the study is still loading: scan again", title=SCAN_REFUSED, severity="warning")
            return None
        try:
            return scanned_animal(self._scan_context, text)
        except BehavlabError as error:
            notify_refusal(self, error, SCAN_REFUSED)
            return None

    def not_shown(self, code: str, where: str) -> None:
        """Say that the scanned animal, although in the study, has no line on this screen."""
        self.notify(f"{code} is not {where}", title=SCAN_REFUSED, severity="warning", markup=False)

    @abstractmethod
    def jump_to(self, code: str) -> None:
        """Go to the animal holding `code` and open its entry (each scanning screen says what that is)."""
