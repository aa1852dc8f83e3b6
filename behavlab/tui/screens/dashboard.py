"""The study dashboard: the plan with what is done and due, the next step, welfare, each animal's progress.

One key opens each step's screen. Before unmasking nothing here names an arm or a substance: the grid is by
blind code, the counts are of the whole study.
"""

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from behavlab.services import ChainHead, StudyOverview, current_head
from behavlab.services.display import cohort_cells, local_minute, optional_number, visible
from behavlab.services.study_plan import PlanStep, StepKind
from behavlab.services.study_progress import AnimalProgress, StudyProgress, study_progress
from behavlab.tui.screens.animals import AnimalsScreen
from behavlab.tui.screens.audit import AuditScreen
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.screens.dosing import DosingScreen
from behavlab.tui.screens.fst import FstScreen
from behavlab.tui.screens.protocol import protocol_dialog, study_header
from behavlab.tui.screens.randomize import RandomizeScreen
from behavlab.tui.screens.results import ResultsScreen
from behavlab.tui.screens.spt import SptScreen
from behavlab.tui.screens.unmask import UnmaskScreen
from behavlab.tui.widgets.row_table import RowTable

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
#: The key that opens the screen where a plan step is done.
STEP_KEYS = {
    StepKind.PROTOCOL: "p",
    StepKind.ROSTER: "a",
    StepKind.RANDOMIZATION: "z",
    StepKind.DOSING: "d",
    StepKind.FST: "f",
    StepKind.SPT: "s",
    StepKind.UNMASK: "u",
}
PROGRESS_COLUMNS = (
    "cage",
    "weight g",
    "change %",
    "weighed today",
    "dosed",
    "FST due",
    "FST",
    "SPT",
    "flags",
)
UNMASKED_TEXT = "the study is unmasked and locked: see the results and the audit log (g, l)"
#: How often the dashboard looks for changes made elsewhere (another screen's worker, the command line).
CHANGE_POLL_S = 2.0
#: How often it reloads anyway, so that what is due follows the clock.
CLOCK_REFRESH_S = 60.0


def _when(step: PlanStep, is_next: bool) -> str:
    """When a step was done, or when it is due."""
    if step.done:
        return local_minute(step.done_at) if step.done_at else ""
    if step.due_from is None:
        return "due now" if is_next else "after the steps above"
    start = local_minute(step.due_from)
    if step.due_until is None or step.due_until == step.due_from:
        return f"due {start}"
    until = local_minute(step.due_until)
    same_day = until[:10] == start[:10]
    return f"due {start}-{until[11:] if same_day else until}"


def timeline_lines(progress: StudyProgress) -> list[str]:
    """The plan, a step a line: done or how far, the step, when done or due, what it holds."""
    lines = []
    study = progress.state.overview.study
    arms = progress.state.overview.arms
    if progress.state.unmasked and len(arms) > 2:
        doses = ", ".join(f"{visible(arm.name)} {arm.dose_mg_per_kg:g} mg/kg" for arm in arms)
        lines.append(f"{len(arms)} arms {visible(study.route)}: {doses}")
    elif progress.state.unmasked:
        lines.append(
            f"{visible(study.compound)} {study.dose_mg_per_kg:g} mg/kg {visible(study.route)} against "
            f"{visible(study.vehicle)}"
        )
    lines += design_lines(progress.state.overview)
    for step in progress.steps:
        status = "done" if step.done else "open" if step.n_total <= 1 else f"{step.n_done}/{step.n_total}"
        when = _when(step, step is progress.next_step)
        lines.append(f"{status:<7} {visible(step.label):<16} {when:<28} {visible(step.detail)}".rstrip())
    return lines


def design_lines(overview: StudyOverview) -> list[str]:
    """The study's non-randomized factor and its cohorts (start, animals, randomized), when it has them."""
    factor = overview.study.factor_name
    lines = [f"factor: {visible(factor)} (roster column, not randomized)"] if factor else []
    for cohort in overview.cohorts:
        name, starts_on, n_animals, randomized = cohort_cells(cohort)
        lines.append(
            f"cohort {visible(name)}: starts {starts_on}, {n_animals} animals, randomized {randomized}"
        )
    return lines


def next_text(progress: StudyProgress) -> str:
    """The step the plan calls for next, when it is due, and the key that opens its screen."""
    step = progress.next_step
    if step is None:
        return UNMASKED_TEXT
    when = ""
    if step.due_from is not None:
        since = "due since" if step.due_from <= progress.now else "from"
        when = f", {since} {local_minute(step.due_from)}"
    return f"{visible(step.todo)}{when} ({STEP_KEYS[step.kind]})"


def welfare_text(progress: StudyProgress) -> str:
    """The animals beyond the welfare limit on weight loss, each with its change from baseline."""
    limit = f"more than {progress.max_weight_loss_pct:g}% below baseline weight"
    flagged = progress.flagged
    if not flagged:
        return f"welfare: no animal {limit}"
    shown = ", ".join(f"{visible(row.key)} {optional_number(row.weight_change_pct, 1)}%" for row in flagged)
    return f"welfare: {len(flagged)} {limit}: {shown} (a: Animals)"


def progress_cells(row: AnimalProgress, n_periods: int) -> tuple[str, ...]:
    """One animal's grid row after its key (see PROGRESS_COLUMNS)."""
    dosed = "" if row.dosed_at is None else local_minute(row.dosed_at)
    if row.n_doses > 1:
        dosed += f" ({row.n_doses} doses)"
    fst = "scored" if row.fst_scored else "recorded" if row.fst_recorded else ""
    flags = [flag for flag, on in (("weight loss", row.weight_loss_flag), ("excluded", row.excluded)) if on]
    change = "" if row.weight_change_pct is None else f"{row.weight_change_pct:+.1f}"
    return (
        visible(row.cage),
        optional_number(row.last_weight_g, 1),
        change,
        "yes" if row.weighed_today else "",
        dosed,
        "" if row.fst_due_at is None else local_minute(row.fst_due_at),
        fst,
        f"{row.spt_done}/{n_periods}" if n_periods else "",
        ", ".join(flags),
    )


class DashboardScreen(StudyScreen):
    """The plan, the next step, welfare flags and the per-animal grid, from the services.

    Reloaded when the screen comes back, when the audit log has grown (every change is audited, whoever made
    it: another screen, the command line), and every CLOCK_REFRESH_S so that what is due follows the clock.
    """

    DEFAULT_CSS = """
    DashboardScreen #progress {
        height: 1fr;
        margin-top: 1;
    }
    """
    TITLE_TEXT = "dashboard"
    LOAD_ON_MOUNT = False
    _shown_head: ChainHead | None = None
    _loaded_at = 0.0
    BINDINGS = [
        Binding("r", "refresh", "Refresh", show=False),
        Binding("a", "open('animals')", "Animals"),
        Binding("z", "open('randomize')", "Randomize"),
        Binding("d", "open('dosing')", "Dosing"),
        Binding("f", "open('fst')", "FST"),
        Binding("s", "open('spt')", "SPT"),
        Binding("u", "open('unmask')", "Unmask"),
        Binding("g", "open('results')", "Results"),
        Binding("l", "open('audit')", "Audit"),
        Binding("p", "declare_protocol", "Protocol"),
    ]

    def compose_body(self) -> ComposeResult:
        """The plan, the next step, welfare, and the grid."""
        with Vertical(id="dashboard"):
            yield Static("loading...", id="timeline", markup=False)
            yield Static("", id="next", markup=False)
            yield Static("", id="welfare", markup=False)
            yield RowTable((), id="progress")

    def on_mount(self) -> None:
        """Watch for changes (Textual then calls `StudyScreen.on_mount`, which names the study)."""
        self.set_interval(CHANGE_POLL_S, self._check_for_changes)

    def on_screen_resume(self) -> None:
        """Reload when shown, including after another screen closes."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload the study's progress."""
        self._loaded_at = time.monotonic()
        self.call(self._load, self._show, "Cannot load the study")

    def _load(self) -> tuple[ChainHead, StudyProgress]:
        return current_head(self.workspace), study_progress(self.workspace, self.study)

    def _check_for_changes(self) -> None:
        if not self.is_current or self._shown_head is None:
            return
        if time.monotonic() - self._loaded_at >= CLOCK_REFRESH_S:
            self.action_refresh()
            return
        self.call(lambda: current_head(self.workspace), self._reload_if_changed, "Cannot load the study")

    def _reload_if_changed(self, head: ChainHead) -> None:
        if head != self._shown_head:
            self.action_refresh()

    def _show(self, loaded: tuple[ChainHead, StudyProgress]) -> None:
        self._shown_head, progress = loaded
        self.sub_title = study_header(progress.state.overview)
        self.query_one("#timeline", Static).update("\n".join(timeline_lines(progress)))
        self.query_one("#next", Static).update(f"next: {next_text(progress)}")
        self.query_one("#welfare", Static).update(welfare_text(progress))
        animals = progress.animals
        self.query_one("#progress", RowTable).set_rows(
            ("code" if progress.state.randomized else "lab ID", *PROGRESS_COLUMNS),
            [(visible(animal.key), *progress_cells(animal, progress.spt_periods)) for animal in animals],
            [animal.key for animal in animals],
        )

    def action_declare_protocol(self) -> None:
        """Declare the study's protocol plan, or change it with a reason."""
        protocol_dialog(self, self.workspace, self.study, lambda _: self.action_refresh())

    def action_open(self, step: str) -> None:
        """Open a step's screen."""
        self.app.push_screen(STEPS[step](self.workspace, self.study))
