"""The behavlab terminal app: opens on the studies screen; `?` shows the keys of the current screen."""

from collections.abc import Collection
from multiprocessing import resource_tracker
from pathlib import Path

from textual import events
from textual.app import App
from textual.binding import Binding

from behavlab import __version__
from behavlab.services import Workspace
from behavlab.tui.screens.help import HelpScreen
from behavlab.tui.screens.studies import StudiesScreen
from behavlab.tui.widgets.scan_reader import Read, Scanned, ScanReader, ScanTarget


class BehavlabApp(App[None]):
    """The bench app for one workspace."""

    TITLE = "behavlab"
    SUB_TITLE = f"v{__version__}"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help (also while typing)", priority=True),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        # Scoring runs videos in worker processes, whose start needs multiprocessing's resource tracker;
        # starting it passes sys.stderr's descriptor, which Textual's capture of stderr does not have once
        # the app runs. Started here, before the capture, it serves every later pool.
        resource_tracker.ensure_running()
        super().__init__()
        self.workspace = workspace
        self._scans = ScanReader()

    async def on_event(self, event: events.Event) -> None:
        """Read each typed key for a scan first, in typing order; hand on the keys that are not one."""
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        await self._handle(self._scans.read(event, *self._scan_target()))

    async def on_scanned(self, scanned: Scanned) -> None:
        """A scan has come the way of the keys before it: let it act, then read the keys typed after it."""
        scanned.target.scanned(scanned.text)
        await self._handle(self._scans.resume(*self._scan_target()))

    def _scan_target(self) -> tuple[Collection[str], ScanTarget | None]:
        """The keys bound on the screen shown, and the screen if it takes scans (no keys when it does not)."""
        if isinstance(self.screen, ScanTarget):
            return self.screen.active_bindings, self.screen
        return (), None

    async def _handle(self, read: list[Read]) -> None:
        """Handle keys as usual; send a scan to the focused widget, to come up behind the keys sent there."""
        for item in read:
            if isinstance(item, events.Key):
                await super().on_event(item)
            elif not (self.focused or self.screen).post_message(item):
                await self.on_scanned(item)

    def on_mount(self) -> None:
        """Start on the studies screen."""
        self.push_screen(StudiesScreen(self.workspace))

    def action_help(self) -> None:
        """Show the keys active on the current screen."""
        keys = [
            (binding.key_display or binding.key, binding.description)
            for (_, binding, enabled, _tooltip) in self.screen.active_bindings.values()
            if enabled and binding.show and binding.description
        ]
        self.push_screen(HelpScreen(keys))
