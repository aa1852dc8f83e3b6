"""Where a study stands, gathered from the services, and the next thing to do at the bench."""

from dataclasses import dataclass

from behavlab.services import (
    StudyOverview,
    Workspace,
    dosing_sheet,
    get_study,
    list_animals,
    list_events,
    list_fst_sessions,
)


@dataclass(frozen=True)
class StudyState:
    """Counts the dashboard shows; nothing here can name an arm."""

    overview: StudyOverview
    n_animals: int
    n_weighed: int
    n_excluded: int
    n_weight_loss: int
    randomized: bool
    n_doses: int
    dosed_today: int
    to_dose_today: int
    fst_sessions: int
    fst_scored: int
    spt_periods: int
    spt_sheets: int
    unmasked: bool

    def next_step(self) -> str:
        """The next step of the study's workflow, with the key that opens its screen."""
        if self.unmasked:
            return "the study is unmasked and locked: see the results and the audit log (g, l)"
        if not self.n_animals:
            return "import the roster (a: Animals, then i)"
        if not self.randomized:
            if self.n_weighed < self.n_animals:
                return "weigh every animal (a: Animals, then w), then randomize (z)"
            return "randomize the study (z)"
        if not self.n_doses:
            return "weigh on the dosing day, then dose every coded animal (d)"
        if not self.fst_sessions:
            return "record the forced-swim sessions (f)"
        if self.fst_scored < self.fst_sessions:
            return "score the FST sessions (f, then s)"
        if self.spt_sheets < self.spt_periods:
            return "enter the SPT bottle weights (s)"
        return "all recorded: unmask at study end (u)"


def load_study_state(workspace: Workspace, study: str) -> StudyState:
    """Read the study's roster, doses, sessions and audit trail (one call per service)."""
    overview = get_study(workspace, study)
    animals = list_animals(workspace, study)
    actions = [event.action for event in list_events(workspace, study)]
    randomized = "study.randomize" in actions
    sheet = dosing_sheet(workspace, study) if randomized else None
    sessions = list_fst_sessions(workspace, study) if randomized else []
    return StudyState(
        overview=overview,
        n_animals=len(animals),
        n_weighed=sum(animal.last_weight_g is not None for animal in animals),
        n_excluded=sum(animal.excluded for animal in animals),
        n_weight_loss=sum(animal.weight_loss_flag for animal in animals),
        randomized=randomized,
        n_doses=actions.count("dose.record"),
        dosed_today=sum(line.dosed for line in sheet.lines) if sheet else 0,
        to_dose_today=len(sheet.lines) if sheet else 0,
        fst_sessions=len(sessions),
        fst_scored=sum(bool(session.scored_methods) for session in sessions),
        spt_periods=actions.count("spt.period"),
        spt_sheets=actions.count("spt.bottles"),
        unmasked="study.unmask" in actions,
    )
