"""Cohorts (batches) of a study: run on their own dates, each randomized and sealed within itself.

A study either runs in cohorts or is randomized as a whole. Once it has a cohort, every draw is of one
cohort (its own sealed allocation and commitment, `Randomization.cohort_id` set) and each cohort is drawn
once; an animal outside every cohort cannot be randomized, and animals added after a draw must join a cohort
not yet randomized. A study randomized as a whole takes no cohort and no more animals.
Animals join a cohort through the roster's ``cohort`` column (`behavlab.services.roster_import`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import Animal, Cohort, Randomization, Study
from behavlab.services.audit import record_study_event
from behavlab.services.guards import refuse_if_unmasked
from behavlab.services.lookup import blind_codes, find_study, study_id_of
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from cohorts.roster import RosterEntry

MAX_COHORT_CHARS = 60


@dataclass(frozen=True)
class CohortView:
    """One cohort as listed: its name and start date, how many animals it holds, and whether it is drawn."""

    name: str
    starts_on: date | None
    n_animals: int
    randomized: bool
    created_at: datetime
    created_by: str


def add_cohort(workspace: Workspace, study_name: str, name: str, starts_on: date | None = None) -> CohortView:
    """Add a cohort to a study not randomized as a whole; its name is unique in the study (ignoring case)."""
    name = checked_text(name.strip(), "cohort name")
    if not 1 <= len(name) <= MAX_COHORT_CHARS:
        raise InvalidInputError(f"cohort name must be 1-{MAX_COHORT_CHARS} characters, got {name!r}")
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_if_unmasked(session, study, "add a cohort to")
        if _whole_roster_draw(session, study):
            raise ConflictError(
                f"study {study.name!r} was randomized as a whole, without cohorts; cannot add a cohort to it"
            )
        clash = [known for known in cohort_names(session, study) if known.casefold() == name.casefold()]
        if clash:
            raise ConflictError(
                f"study {study.name!r} already has a cohort {clash[0]!r}; choose another name"
            )
        cohort = Cohort(
            study_id=study_id_of(study), name=name, starts_on=starts_on, created_by=workspace.actor
        )
        session.add(cohort)
        session.flush()
        record_study_event(
            session,
            workspace,
            study,
            AuditAction.COHORT_ADD,
            {"cohort": name, "starts_on": None if starts_on is None else starts_on.isoformat()},
        )
        return CohortView(name, starts_on, 0, False, cohort.created_at, cohort.created_by)


def list_cohorts(workspace: Workspace, study_name: str) -> Sequence[CohortView]:
    """The study's cohorts in the order they were added, with their animals and whether each is drawn."""
    with reading(workspace.engine) as session:
        return cohort_views(session, find_study(session, study_name))


def cohort_views(session: Session, study: Study) -> list[CohortView]:
    """The study's cohorts as `list_cohorts` gives them, within an open session."""
    sizes = dict(
        session.exec(
            select(Animal.cohort_id, func.count())
            .where(Animal.study_id == study.id)
            .group_by(col(Animal.cohort_id))
        ).all()
    )
    drawn = set(session.exec(select(Randomization.cohort_id).where(Randomization.study_id == study.id)))
    return [
        CohortView(
            cohort.name,
            cohort.starts_on,
            sizes.get(cohort.id, 0),
            cohort.id in drawn,
            cohort.created_at,
            cohort.created_by,
        )
        for cohort in study_cohorts(session, study)
    ]


def study_cohorts(session: Session, study: Study) -> Sequence[Cohort]:
    """The study's cohorts in the order they were added."""
    return session.exec(select(Cohort).where(Cohort.study_id == study.id).order_by(col(Cohort.id))).all()


def cohort_names(session: Session, study: Study) -> list[str]:
    """The names of the study's cohorts, in the order they were added."""
    return [cohort.name for cohort in study_cohorts(session, study)]


def cohort_id_by_name(session: Session, study: Study) -> dict[str, int | None]:
    """Each of the study's cohorts' database id by its name."""
    return {cohort.name: cohort.id for cohort in study_cohorts(session, study)}


def draw_scope(session: Session, study: Study, cohort_name: str | None) -> Cohort | None:
    """The cohort a new draw is of (None: the whole roster), refusing a draw the study's cohorts forbid.

    A study with cohorts draws one cohort at a time, each once; a study without any draws its whole roster
    once.
    """
    refuse_if_unmasked(session, study, "randomize it")
    cohorts = study_cohorts(session, study)
    names = ", ".join(cohort.name for cohort in cohorts)
    if cohort_name is None:
        if cohorts:
            raise InvalidInputError(
                f"study {study.name!r} runs in cohorts; randomize one at a time with --cohort NAME "
                f"(cohorts: {names})"
            )
        if _drawn_cohorts(session, study):
            raise ConflictError(f"study {study.name!r} is already randomized; cannot randomize it")
        return None
    chosen = next((cohort for cohort in cohorts if cohort.name == cohort_name), None)
    if chosen is None:
        known = names or f"none yet; add one with `behavlab cohort add {study.name} NAME`"
        raise NotFoundError(f"study {study.name!r} has no cohort {cohort_name!r}; cohorts: {known}")
    if chosen.id in _drawn_cohorts(session, study):
        raise ConflictError(
            f"cohort {chosen.name!r} of study {study.name!r} is already randomized; cannot randomize it again"
        )
    return chosen


def roster_in_scope(study: Study, roster: Sequence[RosterEntry], cohort: str | None) -> list[RosterEntry]:
    """The animals a draw of `cohort` takes; with cohorts, animals outside every cohort are refused."""
    if cohort is None:
        return list(roster)
    outside = [entry.animal_id for entry in roster if entry.cohort is None]
    if outside:
        raise ConflictError(
            f"study {study.name!r} runs in cohorts, but animals {', '.join(outside)} are in none; "
            "give each a cohort in the roster's cohort column, or exclude it"
        )
    members = [entry for entry in roster if entry.cohort == cohort]
    if not members:
        raise ConflictError(
            f"cohort {cohort!r} of study {study.name!r} has no animals to randomize; "
            "name it in the roster's cohort column"
        )
    return members


def refuse_late_animals(session: Session, study: Study, entries: Sequence[RosterEntry]) -> None:
    """Refuse animals added after a draw, unless each joins a cohort not yet randomized, or once unmasked."""
    refuse_if_unmasked(session, study, "add animals to it")
    drawn = _drawn_cohorts(session, study)
    if not drawn:
        return
    if None in drawn:
        raise ConflictError(f"study {study.name!r} is already randomized; cannot add animals to it")
    closed = {cohort.name for cohort in study_cohorts(session, study) if cohort.id in drawn}
    late = sorted(entry.animal_id for entry in entries if entry.cohort is None or entry.cohort in closed)
    if late:
        raise ConflictError(
            f"cohorts {', '.join(sorted(closed))} of study {study.name!r} are randomized; animals "
            f"{', '.join(late)} must join a cohort not yet randomized (the roster's cohort column)"
        )


def _drawn_cohorts(session: Session, study: Study) -> set[int | None]:
    """The cohort ids of the study's committed draws (None for a draw of the whole roster)."""
    return set(session.exec(select(Randomization.cohort_id).where(Randomization.study_id == study.id)))


def _whole_roster_draw(session: Session, study: Study) -> bool:
    return None in _drawn_cohorts(session, study)


@dataclass(frozen=True)
class DrawSlot:
    """Where a committed draw goes: its sequence among the study's sealed allocations, cohort, codes taken."""

    sequence: int
    cohort: str | None
    cohort_id: int | None
    taken_codes: frozenset[str]

    def audit_fields(self) -> dict[str, object]:
        """The cohort and sequence for the randomization's audit event (none for a whole-roster draw)."""
        return {} if self.cohort is None else {"cohort": self.cohort, "sequence": self.sequence}


def draw_slot(session: Session, study: Study, cohort_name: str | None) -> DrawSlot:
    """The slot of a draw about to be committed, refused as `draw_scope` refuses (checked again at commit)."""
    cohort = draw_scope(session, study, cohort_name)
    last = session.exec(
        select(func.max(Randomization.sequence)).where(Randomization.study_id == study.id)
    ).one()
    return DrawSlot(
        sequence=(last or 0) + 1,
        cohort=None if cohort is None else cohort.name,
        cohort_id=None if cohort is None else cohort.id,
        taken_codes=frozenset(blind_codes(session, study).values()),
    )
