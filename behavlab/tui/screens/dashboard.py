"""The study dashboard: where the study stands and what to do next; one key opens each step's screen."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from behavlab.services import ChainHead, StudyState, current_head, study_state
from behavlab.services.display import visible
from behavlab.tui.screens.animals import AnimalsScreen
from behavlab.tui.screens.audit import AuditScreen
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.screens.dosing import DosingScreen
from behavlab.tui.screens.fst import FstScreen
from behavlab.tui.screens.randomize import RandomizeScreen
from behavlab.tui.screens.results import ResultsScreen
from behavlab.tui.screens.spt import SptScreen
from behavlab.tui.screens.unmask import UnmaskScreen

STEPS = {
    "animals": AnimalsScreen,
    "randomize": RandomizeScreen,
    "dosing": DosingScreen,
    "fst": FstScreen,
    "spt": SptScreen,
    "unmask": UnmaskScreen,
    "results": ResultsScreen,
    "audit": AuditScreen,
}


def next_step(state: StudyState) -> str:
    """The next step of the study's workflow, with the key that opens its screen."""
    if state.unmasked:
        return "the study is unmasked and locked: see the results and the audit log (g, l)"
    if not state.n_animals:
        return "import the roster (a: Animals, then i)"
    if not state.randomized:
        if state.n_weighed < state.n_animals:
            return "weigh every animal (a: Animals, then w), then randomize (z)"
        return "randomize the study (z)"
    if not state.n_doses:
        return "weigh on the dosing day, then dose every coded animal (d)"
    if not state.fst_sessions:
        return "record the forced-swim sessions (f)"
    if state.fst_scored < state.fst_sessions:
        return "score the FST sessions (f, then s)"
    if state.spt_sheets < state.spt_periods:
        return "enter the SPT bottle weights (s)"
    return "all recorded: unmask at study end (u)"


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def state_lines(state: StudyState) -> list[str]:
    """The dashboard's text, one fact a line."""
    study = state.overview.study
    return [
        f"{visible(study.compound)} {study.dose_mg_per_kg:g} mg/kg {visible(study.route)} against "
        f"{visible(study.vehicle)}, {study.volume_ml_per_kg:g} mL/kg for every animal",
        "",
        f"roster          {state.n_animals} animals, {state.n_weighed} weighed, "
        f"{state.n_excluded} excluded, {state.n_weight_loss} flagged for weight loss",
        f"randomized      {_yes_no(state.randomized)}",
        f"dosing day      {state.dosing_day or 'not started'}: "
        f"{state.dosed_on_dosing_day}/{state.to_dose_on_dosing_day} dosed",
        f"FST scored      {state.fst_scored}/{state.fst_sessions} sessions",
        f"SPT periods     {state.spt_periods} declared, {state.spt_sheets} with bottle weights",
        f"unmasked        {_yes_no(state.unmasked)}",
    ]


#: How often the dashboard looks for changes made elsewhere (another screen's worker, the command line).
CHANGE_POLL_S = 2.0


class DashboardScreen(StudyScreen):
    """Counts from the services and the next step.

    Refreshed when the screen comes back and when the audit log has grown (every change is audited, whoever
    made it: another screen, the command line).
    """

    TITLE_TEXT = "dashboard"
    _shown_head: ChainHead | None = None
    BINDINGS = [
        Binding("a", "open('animals')", "Animals"),
        Binding("z", "open('randomize')", "Randomize"),
        Binding("d", "open('dosing')", "Dosing"),
        Binding("f", "open('fst')", "FST"),
        Binding("s", "open('spt')", "SPT"),
        Binding("u", "open('unmask')", "Unmask"),
        Binding("g", "open('results')", "Results"),
        Binding("l", "open('audit')", "Audit"),
    ]

    def compose_body(self) -> ComposeResult:
        """The state and the next step."""
        with Vertical(id="dashboard"):
            yield Static("loading...", id="state", markup=False)
            yield Static("", id="next", markup=False)

    def on_mount(self) -> None:
        """Name the study and watch for changes; loading happens on every resume."""
        self.title = f"behavlab: {self.TITLE_TEXT}"
        self.sub_title = visible(self.study)
        self.set_interval(CHANGE_POLL_S, self._check_for_changes)

    def on_screen_resume(self) -> None:
        """Reload when shown, including after another screen closes."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload the study's state."""
        self.call(self._load, self._show, "Cannot load the study")

    def _load(self) -> tuple[ChainHead, StudyState]:
        return current_head(self.workspace), study_state(self.workspace, self.study)

    def _check_for_changes(self) -> None:
        if self.is_current and self._shown_head is not None:
            self.call(lambda: current_head(self.workspace), self._reload_if_changed, "Cannot load the study")

    def _reload_if_changed(self, head: ChainHead) -> None:
        if head != self._shown_head:
            self.action_refresh()

    def _show(self, loaded: tuple[ChainHead, StudyState]) -> None:
        self._shown_head, state = loaded
        self.query_one("#state", Static).update("\n".join(state_lines(state)))
        self.query_one("#next", Static).update(f"next: {next_step(state)}")

    def action_open(self, step: str) -> None:
        """Open a step's screen."""
        self.app.push_screen(STEPS[step](self.workspace, self.study))
