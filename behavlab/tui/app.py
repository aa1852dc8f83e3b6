"""The behavlab terminal app: opens on the studies screen; `?` shows the keys of the current screen."""

from multiprocessing import resource_tracker
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from behavlab import __version__
from behavlab.services import Workspace
from behavlab.tui.screens.help import HelpScreen
from behavlab.tui.screens.studies import StudiesScreen


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
