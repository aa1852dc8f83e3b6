"""A study's progress as the dashboard shows it: the plan's steps, the next one, and a row per animal by code.

Nothing here names or groups an arm: counts are of the whole study, each row is one animal under its blind
code (its lab ID before randomization, when there is no allocation to hide), and a welfare flag is the
animal's own.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from behavlab.db.session import reading
from behavlab.services.animals import AnimalStatus, list_animals
from behavlab.services.dosing import local_now
from behavlab.services.fst import FstSessionView, list_fst_sessions
from behavlab.services.lookup import find_study
from behavlab.services.study_plan import (
    AnimalPlan,
    PlanRecords,
    PlanStep,
    next_of,
    plan_steps,
    read_plan_records,
)
from behavlab.services.study_state import StudyState, recorded_randomizations, study_state
from behavlab.services.workspace import Workspace
from cohorts.weights import MAX_WEIGHT_LOSS_FRACTION


@dataclass(frozen=True)
class AnimalProgress:
    """One animal's progress, keyed by its blind code (its lab ID before randomization); never its arm."""

    key: str
    cage: str
    last_weight_g: float | None
    weighed_today: bool
    weight_change_pct: float | None
    weight_loss_flag: bool
    excluded: bool
    n_doses: int
    dosed_at: datetime | None
    fst_due_at: datetime | None
    fst_recorded: bool
    fst_scored: bool
    spt_done: int


@dataclass(frozen=True)
class StudyProgress:
    """The plan's steps in order, the step to do next (None once unmasked), and every animal's row."""

    state: StudyState
    steps: Sequence[PlanStep]
    next_step: PlanStep | None
    animals: Sequence[AnimalProgress]
    spt_periods: int
    now: datetime
    max_weight_loss_pct: float = 100 * MAX_WEIGHT_LOSS_FRACTION

    @property
    def flagged(self) -> list[AnimalProgress]:
        """Animals beyond the welfare limit on weight loss."""
        return [animal for animal in self.animals if animal.weight_loss_flag]


def study_progress(workspace: Workspace, study_name: str, now: datetime | None = None) -> StudyProgress:
    """The study's plan with what is done and due, the next step, and each animal's progress row.

    Parameters
    ----------
    workspace
        The opened workspace.
    study_name
        The study's name.
    now
        The moment due times and "today" are judged at (aware); the current local time by default.

    Returns
    -------
    StudyProgress
        Steps, next step and rows by code; nothing that names or groups an arm.
    """
    now = local_now() if now is None else now
    animals = list_animals(workspace, study_name)
    coded = any(animal.blind_code for animal in animals)
    sessions = list_fst_sessions(workspace, study_name) if coded else []
    state = study_state(workspace, study_name, animals=animals, sessions=sessions)
    with reading(workspace.engine) as session:
        records = read_plan_records(session, find_study(session, study_name))
    by_code: dict[str, list[FstSessionView]] = {}
    for fst in sessions:
        by_code.setdefault(fst.code, []).append(fst)
    rows = {animal.label: _progress(animal, by_code, records, now) for animal in animals}
    taking_part = [
        AnimalPlan(animal.label, row.fst_due_at, row.fst_recorded, row.fst_scored)
        for animal in animals
        if animal.blind_code and not animal.excluded
        for row in (rows[animal.label],)
    ]
    steps = plan_steps(state, records, taking_part, recorded_randomizations(workspace, study_name), now)
    return StudyProgress(
        state=state,
        steps=steps,
        next_step=None if state.unmasked else next_of(steps, now),
        animals=sorted(rows.values(), key=lambda row: (row.cage, row.key)),
        spt_periods=len(records.periods),
        now=now,
    )


def _progress(
    animal: AnimalStatus, sessions: dict[str, list[FstSessionView]], records: PlanRecords, now: datetime
) -> AnimalProgress:
    """One animal's row; its FST is due at its first dose + the study's planned interval."""
    doses = records.doses.get(animal.label, [])
    first_dose = min(doses, default=None)
    tests = sessions.get(animal.blind_code, []) if animal.blind_code else []
    baseline, last = animal.baseline_weight_g, animal.last_weight_g
    weighed = animal.last_weighed_at
    return AnimalProgress(
        key=animal.blind_code or animal.label,
        cage=animal.cage or "",
        last_weight_g=last,
        weighed_today=weighed is not None and weighed.astimezone(now.tzinfo).date() == now.date(),
        weight_change_pct=100 * (last - baseline) / baseline if baseline and last is not None else None,
        weight_loss_flag=animal.weight_loss_flag,
        excluded=animal.excluded,
        n_doses=len(doses),
        dosed_at=max(doses, default=None),
        fst_due_at=None if first_dose is None else first_dose + records.test_interval,
        fst_recorded=bool(tests),
        fst_scored=any(fst.scored_methods for fst in tests),
        spt_done=sum(animal.label in record.read for record in records.periods),
    )
