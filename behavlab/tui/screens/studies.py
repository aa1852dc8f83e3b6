"""The studies screen: every study with its treatment and roster size, loaded in a worker."""

from collections.abc import Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from behavlab.services import StudyOverview, Workspace, list_studies

COLUMNS = ("study", "compound", "dose mg/kg", "route", "vehicle", "mL/kg", "animals")


class StudiesScreen(Screen[None]):
    """Lists studies; refreshes on demand."""

    BINDINGS = [Binding("r", "refresh", "Refresh")]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        """Header, a status line, the studies table and the key footer."""
        yield Header()
        yield Static(f"Database: {self.workspace.location}", id="location")
        table: DataTable[str] = DataTable(id="studies", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Load the studies as soon as the screen shows."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload the studies from the database."""
        self.query_one("#status", Static).update("loading studies...")
        self._load()

    @work(thread=True, exclusive=True, group="studies")
    def _load(self) -> None:
        try:
            studies = list_studies(self.workspace)
        except Exception as exc:  # shown to the user, never a crash
            self.app.call_from_thread(
                self.app.notify, str(exc), title="Cannot load studies", severity="error"
            )
            return
        self.app.call_from_thread(self._show, studies)

    def _show(self, studies: Sequence[StudyOverview]) -> None:
        table = self.query_one("#studies", DataTable)
        table.clear()
        for overview in studies:
            study = overview.study
            table.add_row(
                study.name,
                study.compound,
                f"{study.dose_mg_per_kg:g}",
                study.route,
                study.vehicle,
                f"{study.volume_ml_per_kg:g}",
                str(overview.n_animals),
                key=study.name,
            )
        status = (
            f"{len(studies)} studies"
            if studies
            else "no studies yet: create one with `behavlab study create`"
        )
        self.query_one("#status", Static).update(status)
