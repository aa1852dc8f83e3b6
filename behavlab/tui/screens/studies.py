"""The studies screen: every study with its treatment and roster size; n creates one, Enter opens one."""

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from behavlab.services import (
    StudyOverview,
    StudySettings,
    StudySummary,
    Workspace,
    create_study,
    list_studies,
    parse_arms,
)
from behavlab.services.display import visible
from behavlab.tui.calls import call_service
from behavlab.tui.parse import number
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.widgets.form import Field, FormScreen, FormValues

COLUMNS = ("compound", "dose mg/kg", "route", "vehicle", "mL/kg", "animals")
STUDY_COLUMN_WIDTH = 24
DEFAULTS = StudySettings(name="")


def study_fields() -> list[Field]:
    """The new-study form, filled with the lab's standard study (ketamine 10 mg/kg i.p. against saline)."""
    return [
        Field("name", "name", placeholder="e.g. ket-2025-03"),
        Field("compound", "compound", value=DEFAULTS.compound),
        Field("dose_mg_per_kg", "dose mg/kg", value=f"{DEFAULTS.dose_mg_per_kg:g}"),
        Field("route", "route", value=DEFAULTS.route),
        Field("vehicle", "vehicle", value=DEFAULTS.vehicle),
        Field(
            "arms",
            "arms, instead of compound, dose and vehicle (NAME:SUBSTANCE:DOSE[:STOCK]; ...)",
            placeholder="e.g. vehicle:saline:0; ket3:ketamine:3; ket10:ketamine:10",
        ),
        Field("reference", "reference arm (blank: the first arm)"),
        Field("volume_ml_per_kg", "volume mL/kg (every arm)", value=f"{DEFAULTS.volume_ml_per_kg:g}"),
        Field(
            "syringe_graduation_ml",
            "syringe graduation mL (sheet volumes are rounded to it)",
            value=f"{DEFAULTS.syringe_graduation_ml:g}",
        ),
        Field(
            "volume_tolerance_pct",
            "volume tolerance % (of the computed volume, for a volume given)",
            value=f"{DEFAULTS.volume_tolerance_pct:g}",
        ),
        Field(
            "weight_precision_g",
            "balance precision g (finer weights are refused)",
            value=f"{DEFAULTS.weight_precision_g:g}",
        ),
    ]


def settings_from(values: FormValues) -> StudySettings:
    """The typed form as study settings (numbers checked here, the rest by the service).

    Arms are separated by semicolons; none typed means the compound against its vehicle.
    """
    typed_arms = [text.strip() for text in values["arms"].split(";") if text.strip()]
    reference = values["reference"].strip() or None
    return StudySettings(
        name=values["name"],
        compound=values["compound"],
        dose_mg_per_kg=number(values["dose_mg_per_kg"], "dose mg/kg"),
        route=values["route"],
        vehicle=values["vehicle"],
        volume_ml_per_kg=number(values["volume_ml_per_kg"], "volume mL/kg"),
        syringe_graduation_ml=number(values["syringe_graduation_ml"], "syringe graduation mL"),
        volume_tolerance_pct=number(values["volume_tolerance_pct"], "volume tolerance %"),
        weight_precision_g=number(values["weight_precision_g"], "balance precision g"),
        arms=parse_arms(typed_arms, reference) if typed_arms or reference else None,
    )


class StudiesScreen(Screen[None]):
    """Lists studies; refreshes on demand and whenever it comes back into view."""

    BINDINGS = [
        Binding("n", "new_study", "New study"),
        Binding("enter", "open_study", "Open", priority=True),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        """Header, the database location, the studies table, a status line and the key footer."""
        yield Header()
        yield Static(f"Database: {self.workspace.location}", id="location")
        table: DataTable[Text | str] = DataTable(id="studies", cursor_type="row", zebra_stripes=True)
        table.add_column("study", width=STUDY_COLUMN_WIDTH)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="status")
        yield Footer()

    def on_screen_resume(self) -> None:
        """Load the studies whenever the screen shows."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload the studies from the database."""
        self.query_one("#status", Static).update("loading studies...")
        call_service(self, lambda: list_studies(self.workspace), self._show, title="Cannot load studies")

    def _show(self, studies: Sequence[StudySummary]) -> None:
        table = self.query_one("#studies", DataTable)
        table.clear()
        for study in studies:
            table.add_row(
                Text(visible(study.name)),
                Text(visible(study.compound)),
                f"{study.dose_mg_per_kg:g}",
                Text(visible(study.route)),
                Text(visible(study.vehicle)),
                f"{study.volume_ml_per_kg:g}",
                str(study.n_animals),
                key=study.name,
            )
        status = f"{len(studies)} studies" if studies else "no studies yet: press n to create one"
        self.query_one("#status", Static).update(status)

    def action_open_study(self) -> None:
        """Open the highlighted study's dashboard."""
        table = self.query_one("#studies", DataTable)
        if table.row_count:
            name = str(table.ordered_rows[table.cursor_row].key.value)
            self.app.push_screen(DashboardScreen(self.workspace, name))

    def action_new_study(self) -> None:
        """Create a study with the lab's defaults filled in; a refusal keeps the form as typed."""
        form = FormScreen("New study", study_fields(), submit=lambda values: self._create(form, values))
        self.app.push_screen(form)

    def _create(self, form: FormScreen, values: FormValues) -> None:
        call_service(
            self,
            lambda: create_study(self.workspace, settings_from(values)),
            lambda overview: self._created(form, overview),
            title="Study not created",
            failed=form.refuse,
        )

    def _created(self, form: FormScreen, overview: StudyOverview) -> None:
        if form.is_current:
            form.dismiss(None)
        self.notify(f"study {visible(overview.study.name)} created", markup=False)
        self.action_refresh()
