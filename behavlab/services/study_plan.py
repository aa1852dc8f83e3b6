"""A study's plan in time: its steps in order, what each has done, when each is due, and the step to do next.

The plan is the study's own: the protocol, the roster, the randomization, the SPT periods declared before
the dose, the dosing, the FST of each animal at its dose time + the study's planned interval, the SPT periods
after the dose, and unmasking. Counts are of the whole study, never per arm.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from behavlab.models import Animal, DoseEvent, SptPeriod, SptReading, SptSheetFile, Study, UnmaskEvent
from behavlab.services.guards import FULL_UNMASK
from behavlab.services.study_state import RecordedRandomization, StudyState
from behavlab.services.voiding import live_readings, not_voided

#: SPT phases run before the dose: their bottles come before dosing in the plan.
PRE_DOSE_PHASES = ("habituation", "baseline")


class StepKind(StrEnum):
    """The kinds of step a study's plan is made of."""

    PROTOCOL = "protocol"
    ROSTER = "roster"
    RANDOMIZATION = "randomization"
    DOSING = "dosing"
    FST = "FST"
    SPT = "SPT"
    UNMASK = "unmask"


@dataclass(frozen=True)
class PlanStep:
    """One step of the plan: how much of it is done, when it is due, what it still needs.

    `due_from` None means due as soon as the steps before it are done; `todo` says what to do while open.
    """

    kind: StepKind
    label: str
    done: bool
    n_done: int
    n_total: int
    detail: str
    todo: str
    due_from: datetime | None = None
    due_until: datetime | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class PeriodRecord:
    """A declared SPT period, whether its bottle sheet is in, and which animals (by lab ID) have a reading."""

    period: SptPeriod
    has_sheet: bool
    read: frozenset[str]


@dataclass(frozen=True)
class PlanRecords:
    """What the plan is computed from beyond the study's counts, read in one session."""

    study: Study
    doses: dict[str, list[datetime]]
    periods: list[PeriodRecord]
    unmasked_at: datetime | None

    @property
    def test_interval(self) -> timedelta:
        """The planned time from an animal's dose to its FST."""
        return timedelta(hours=self.study.test_hours_post_dose)


@dataclass(frozen=True)
class AnimalPlan:
    """What the plan needs of one animal taking part (coded, not excluded): its lab ID and its FST."""

    label: str
    fst_due_at: datetime | None
    fst_recorded: bool
    fst_scored: bool


def read_plan_records(session: Session, study: Study) -> PlanRecords:
    """The study's doses (by lab ID), SPT periods with their sheets and readings, and when it was unmasked."""
    doses: dict[str, list[datetime]] = {}
    for label, dosed_at in session.exec(
        select(Animal.label, DoseEvent.dosed_at)
        .join(Animal, col(Animal.id) == DoseEvent.animal_id)
        .where(Animal.study_id == study.id, not_voided("dose", DoseEvent.id))
    ):
        doses.setdefault(label, []).append(dosed_at)
    read: dict[int, set[str]] = {}
    for period_id, label in session.exec(
        select(SptReading.period_id, Animal.label)
        .join(Animal, col(Animal.id) == SptReading.animal_id)
        .where(Animal.study_id == study.id, live_readings())
    ):
        read.setdefault(period_id, set()).add(label)
    periods = session.exec(
        select(SptPeriod).where(SptPeriod.study_id == study.id).order_by(col(SptPeriod.starts_at))
    ).all()
    with_sheet = set(
        session.exec(
            select(SptSheetFile.period_id).where(
                col(SptSheetFile.period_id).in_([p.id for p in periods]),
                not_voided("bottle-sheet", SptSheetFile.id),
            )
        )
    )
    unmasked_at = session.exec(
        select(UnmaskEvent.at).where(UnmaskEvent.study_id == study.id, UnmaskEvent.kind == FULL_UNMASK)
    ).first()
    records = [PeriodRecord(p, p.id in with_sheet, frozenset(read.get(p.id or 0, ()))) for p in periods]
    return PlanRecords(study, doses, records, unmasked_at)


def plan_steps(
    state: StudyState,
    records: PlanRecords,
    taking_part: Sequence[AnimalPlan],
    randomizations: Sequence[RecordedRandomization],
    now: datetime,
) -> list[PlanStep]:
    """The study's steps in plan order; the tests after the dose in the order they fall due."""
    before = [p for p in records.periods if p.period.phase in PRE_DOSE_PHASES]
    after = [p for p in records.periods if p.period.phase not in PRE_DOSE_PHASES]
    n_spt = len(taking_part) if state.randomized else state.n_animals - state.n_excluded
    dosing = _dosing_step(state, records, taking_part, max((p.period.ends_at for p in before), default=None))
    tests = [_fst_step(records, taking_part), *(_spt_step(p, n_spt, now) for p in after)]
    expected_fst = now + records.test_interval
    tests.sort(key=lambda step: step.due_from or expected_fst)
    return [
        _protocol_step(state, records),
        _roster_step(state),
        _randomization_step(state, randomizations),
        *(_spt_step(p, n_spt, now) for p in before),
        dosing,
        *tests,
        _unmask_step(state, records),
    ]


def next_of(steps: Sequence[PlanStep], now: datetime) -> PlanStep | None:
    """The step to do next: the first open step in plan order that is due, else the open step due soonest.

    A step without a due time is due once every step before it is done; unmasking waits for all the others.
    """
    open_steps = [step for step in steps if not step.done]
    for index, step in enumerate(open_steps):
        if step.kind is StepKind.UNMASK and index:
            break
        if (step.due_from is None and index == 0) or (step.due_from is not None and step.due_from <= now):
            return step
    timed = [step for step in open_steps if step.due_from is not None]
    if timed:
        return min(timed, key=lambda step: step.due_from or now)
    return open_steps[0] if open_steps else None


def _protocol_step(state: StudyState, records: PlanRecords) -> PlanStep:
    study = records.study
    detail = (
        f"{len(state.overview.arms)} arms, {study.route}, {study.volume_ml_per_kg:g} mL/kg each, "
        f"FST at {study.test_hours_post_dose:g} h"
    )
    declared = state.overview.protocol
    if declared is None:
        primary = "no primary outcome (p)"
    else:
        method = f" by {declared.primary_method}" if declared.primary_method else ""
        primary = f"primary {declared.primary_outcome}{method}"
    return PlanStep(StepKind.PROTOCOL, "protocol", True, 1, 1, f"{detail}; {primary}", "")


def _roster_step(state: StudyState) -> PlanStep:
    n_animals, n_weighed = state.n_animals, state.n_weighed
    done = state.randomized or (n_animals > 0 and n_weighed == n_animals)
    detail = f"{n_animals} animals, {n_weighed} weighed, {state.n_excluded} excluded"
    todo = "weigh every animal" if n_animals else "import the roster"
    return PlanStep(StepKind.ROSTER, "roster", done, n_weighed, n_animals, detail, todo)


def _randomization_step(state: StudyState, randomizations: Sequence[RecordedRandomization]) -> PlanStep:
    latest = randomizations[-1] if randomizations else None
    detail = f"{latest.method} by {latest.created_by}" if latest else "not yet"
    return PlanStep(
        StepKind.RANDOMIZATION,
        "randomization",
        state.randomized,
        int(state.randomized),
        1,
        detail,
        "randomize the study",
        done_at=latest.created_at if latest else None,
    )


def _dosing_step(
    state: StudyState, records: PlanRecords, taking_part: Sequence[AnimalPlan], after: datetime | None
) -> PlanStep:
    dosed = [max(records.doses[a.label]) for a in taking_part if a.label in records.doses]
    to_dose = len(taking_part) - len(dosed)
    done = bool(taking_part) and not to_dose
    detail = "not started"
    if state.dosing_day:
        counted = f"{state.dosed_on_dosing_day}/{state.to_dose_on_dosing_day}"
        detail = f"dosing day {state.dosing_day.isoformat()}: {counted} dosed"
    todo = f"weigh on the dosing day, then dose {to_dose} coded animals"
    return PlanStep(
        StepKind.DOSING,
        "dosing",
        done,
        len(dosed),
        len(taking_part),
        detail,
        todo,
        due_from=after,
        done_at=max(dosed) if done else None,
    )


def _fst_step(records: PlanRecords, taking_part: Sequence[AnimalPlan]) -> PlanStep:
    recorded = sum(a.fst_recorded for a in taking_part)
    scored = sum(a.fst_scored for a in taking_part)
    due = [a.fst_due_at for a in taking_part if not a.fst_scored and a.fst_due_at is not None]
    hours = f"{records.study.test_hours_post_dose:g} h"
    if recorded > scored:
        todo = f"score the recorded FST sessions ({recorded - scored} unscored)"
    elif due:
        todo = f"record the FST of {len(due)} animals, each {hours} after its dose"
    else:
        todo = f"dose first: each animal's FST is due {hours} after its dose"
    return PlanStep(
        StepKind.FST,
        "FST",
        bool(taking_part) and scored == len(taking_part),
        scored,
        len(taking_part),
        f"{recorded} recorded, {scored} scored; each {hours} after its dose",
        todo,
        due_from=min(due, default=None),
        due_until=max(due, default=None),
    )


def _spt_step(record: PeriodRecord, n_animals: int, now: datetime) -> PlanStep:
    period = record.period
    todo = (
        f"enter the bottle weights of SPT {period.label}"
        if now >= period.ends_at
        else f"weigh and set out the bottles of SPT {period.label}; enter their weights after it ends"
    )
    return PlanStep(
        StepKind.SPT,
        f"SPT {period.label}",
        record.has_sheet,
        len(record.read),
        n_animals,
        f"{period.phase}, {period.sucrose_pct:g}% sucrose",
        todo,
        due_from=period.starts_at,
        due_until=period.ends_at,
        done_at=period.ends_at if record.has_sheet else None,
    )


def _unmask_step(state: StudyState, records: PlanRecords) -> PlanStep:
    todo = "all recorded: unmask at study end"
    if not records.periods:
        todo += " (no SPT period is declared: declare them first if the study has a sucrose test)"
    return PlanStep(
        StepKind.UNMASK,
        "unmask",
        state.unmasked,
        int(state.unmasked),
        1,
        "" if state.unmasked else "when every step above is done",
        todo,
        done_at=records.unmasked_at,
    )
