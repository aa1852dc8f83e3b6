"""Where a study stands: roster, allocation, doses, sessions and SPT sheets, counted from its tables."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from behavlab.db.session import reading
from behavlab.models import Animal, DoseEvent, Randomization, SptPeriod, SptSheetFile, Study
from behavlab.services.animals import AnimalStatus, list_animals
from behavlab.services.dosing import dosing_sheet, study_dosing_day
from behavlab.services.fst import FstSessionView, list_fst_sessions
from behavlab.services.guards import study_is_randomized, study_is_unmasked
from behavlab.services.lookup import find_study
from behavlab.services.studies import StudyOverview, get_study
from behavlab.services.voiding import not_voided
from behavlab.services.workspace import Workspace


@dataclass(frozen=True)
class StudyState:
    """The counts a study's overview shows; nothing here can name an arm.

    The dosing counts are of the dosing day's sheet: the day of the latest injection (today's sheet before
    any, `dosing_day` None), not the calendar day.
    """

    overview: StudyOverview
    n_animals: int
    n_weighed: int
    n_excluded: int
    n_weight_loss: int
    randomized: bool
    n_doses: int
    dosing_day: date | None
    dosed_on_dosing_day: int
    to_dose_on_dosing_day: int
    fst_sessions: int
    fst_scored: int
    spt_periods: int
    spt_sheets: int
    unmasked: bool


@dataclass(frozen=True)
class _Stored:
    """What the study's own tables say: committed, unmasked, and how many doses, periods and sheets."""

    randomized: bool
    unmasked: bool
    n_doses: int
    spt_periods: int
    spt_sheets: int


def study_state(
    workspace: Workspace,
    study_name: str,
    animals: Sequence[AnimalStatus] | None = None,
    sessions: Sequence[FstSessionView] | None = None,
) -> StudyState:
    """Read where the study stands: its roster, its dosing day's sheet, its FST sessions and SPT periods.

    Parameters
    ----------
    workspace
        The opened workspace.
    study_name
        The study's name.
    animals, sessions
        The study's animals and FST sessions when the caller has read them already.

    Returns
    -------
    StudyState
        The counts of each step of the study's workflow, by code only.
    """
    overview = get_study(workspace, study_name)
    animals = list_animals(workspace, study_name) if animals is None else animals
    with reading(workspace.engine) as session:
        stored = _stored(session, find_study(session, study_name))
    dosing_day = study_dosing_day(workspace, study_name)
    sheet = dosing_sheet(workspace, study_name, day=dosing_day) if stored.randomized else None
    if sessions is None:
        sessions = list_fst_sessions(workspace, study_name) if stored.randomized else []
    return StudyState(
        overview=overview,
        n_animals=len(animals),
        n_weighed=sum(animal.last_weight_g is not None for animal in animals),
        n_excluded=sum(animal.excluded for animal in animals),
        n_weight_loss=sum(animal.weight_loss_flag for animal in animals),
        randomized=stored.randomized,
        n_doses=stored.n_doses,
        dosing_day=dosing_day,
        dosed_on_dosing_day=sum(line.dosed for line in sheet.lines) if sheet else 0,
        to_dose_on_dosing_day=len(sheet.lines) if sheet else 0,
        fst_sessions=len(sessions),
        fst_scored=sum(bool(fst_session.scored_methods) for fst_session in sessions),
        spt_periods=stored.spt_periods,
        spt_sheets=stored.spt_sheets,
        unmasked=stored.unmasked,
    )


def _stored(session: Session, study: Study) -> _Stored:
    of_study: ColumnElement[bool] = col(SptPeriod.study_id) == study.id
    n_doses = session.exec(
        select(func.count())
        .select_from(DoseEvent)
        .join(Animal, col(Animal.id) == DoseEvent.animal_id)
        .where(Animal.study_id == study.id, not_voided("dose", DoseEvent.id))
    ).one()
    spt_periods = session.exec(select(func.count()).select_from(SptPeriod).where(of_study)).one()
    spt_sheets = session.exec(
        select(func.count())
        .select_from(SptSheetFile)
        .join(SptPeriod, col(SptPeriod.id) == SptSheetFile.period_id)
        .where(of_study, not_voided("bottle-sheet", SptSheetFile.id))
    ).one()
    return _Stored(
        randomized=study_is_randomized(session, study),
        unmasked=study_is_unmasked(session, study),
        n_doses=n_doses,
        spt_periods=spt_periods,
        spt_sheets=spt_sheets,
    )


@dataclass(frozen=True)
class RecordedRandomization:
    """How one allocation of the study was made, from its public record: never a seed, balance or arm."""

    sequence: int
    method: str
    strata: str
    n_animals: int
    n_arms: int
    created_at: datetime
    created_by: str
    #: Drawn without a protocol plan, as its key holder chose (`--no-protocol`).
    protocol_waived: bool = False


def recorded_randomizations(workspace: Workspace, study_name: str) -> Sequence[RecordedRandomization]:
    """The study's committed randomizations, first first; empty before it is randomized."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        rows = session.exec(
            select(Randomization)
            .where(Randomization.study_id == study.id)
            .order_by(col(Randomization.sequence))
        ).all()
        return [
            RecordedRandomization(
                row.sequence,
                row.method,
                row.strata,
                row.n_animals,
                row.n_arms,
                row.created_at,
                row.created_by,
                bool(row.protocol_waived),
            )
            for row in rows
        ]
