"""Corrections as records: a wrong weight, dose, session, score or bottle sheet is voided with a reason.

A voided record stays in the database and in the audit log; every computation leaves it out (`not_voided`),
and the report lists it. A void cannot be undone: a record voided by mistake is entered again. After
unmasking a void is an amendment with its reason, like every other correction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import ColumnElement, and_, null
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import (
    Animal,
    DoseEvent,
    FstSession,
    ImmobilityScore,
    SptPeriod,
    SptReading,
    SptSheetFile,
    Study,
    Voiding,
    Weight,
)
from behavlab.services.amendments import amendment_reason, record_amendment
from behavlab.services.audit import record_event
from behavlab.services.lookup import blind_codes, find_study, study_id_of
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace

VoidEntity = Literal["weight", "dose", "session", "score", "bottle-sheet"]
VOID_ENTITIES: tuple[VoidEntity, ...] = get_args(VoidEntity)
MAX_VOID_REASON_CHARS = 1000


@dataclass(frozen=True)
class VoidedRecord:
    """One voided record as listed: what, whose (its animal's blind code, if any), why, who and when."""

    entity: VoidEntity
    record_id: int
    code: str | None
    reason: str
    voided_at: datetime
    voided_by: str


def not_voided(entity: VoidEntity, id_column: int | None) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows of `entity` whose id (`id_column`) has not been voided."""
    voided = select(Voiding.entity_id).where(Voiding.entity == entity)
    return col(id_column).not_in(voided)


def live_sessions() -> ColumnElement[bool]:
    """A WHERE clause keeping the FST sessions that have not been voided."""
    return not_voided("session", FstSession.id)


def live_scores() -> ColumnElement[bool]:
    """A WHERE clause keeping the scores that have not been voided, nor their session."""
    return and_(not_voided("score", ImmobilityScore.id), not_voided("session", ImmobilityScore.session_id))


def live_readings() -> ColumnElement[bool]:
    """A WHERE clause keeping the SPT readings whose period's bottle sheet has not been voided."""
    voided_sheets = select(Voiding.entity_id).where(Voiding.entity == "bottle-sheet")
    voided_periods = select(SptSheetFile.period_id).where(col(SptSheetFile.id).in_(voided_sheets))
    return col(SptReading.period_id).not_in(voided_periods)


def latest_live_weight(session: Session, animal_id: int | None, at: datetime | None = None) -> Weight | None:
    """The animal's latest weight that counts (not voided), measured on or before `at` (None: ever)."""
    query = select(Weight).where(Weight.animal_id == animal_id, not_voided("weight", Weight.id))
    if at is not None:
        query = query.where(col(Weight.measured_at) <= at)
    return session.exec(query.order_by(col(Weight.measured_at).desc(), col(Weight.id).desc())).first()


def void_record(
    workspace: Workspace,
    study_name: str,
    entity: str,
    record_id: int,
    reason: str,
    amend: str | None = None,
) -> VoidedRecord:
    """Void one record of the study with its reason; after unmasking only as an amendment (`amend`)."""
    kind = _entity(entity)
    reason = _reason(reason)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        animal_id = _owner(session, study, kind, record_id)
        if session.exec(
            select(Voiding.id).where(Voiding.entity == kind, Voiding.entity_id == record_id)
        ).first():
            raise ConflictError(f"{kind} {record_id} of study {study.name!r} is already void")
        amendment = amendment_reason(session, study, f"void {kind} {record_id}", amend)
        voiding = Voiding(
            study_id=study_id_of(study),
            entity=kind,
            entity_id=record_id,
            reason=reason,
            voided_by=workspace.actor,
        )
        session.add(voiding)
        session.flush()
        code = None if animal_id is None else blind_codes(session, study).get(animal_id)
        record_event(
            session,
            actor=workspace.actor,
            action=AuditAction.RECORD_VOID,
            entity=kind,
            entity_id=record_id,
            study_id=study.id,
            payload={"code": code, "reason": reason},
        )
        if amendment is not None:
            what = f"voided {kind} {record_id}: {reason}"
            record_amendment(
                session,
                study,
                actor=workspace.actor,
                what=what,
                reason=amendment,
                entity=kind,
                entity_id=str(record_id),
            )
        return VoidedRecord(kind, record_id, code, reason, voiding.voided_at, voiding.voided_by)


def voided_records(session: Session, study: Study) -> list[VoidedRecord]:
    """Every voided record of the study, oldest void first, named by its animal's code when it has one."""
    codes = blind_codes(session, study)
    voids = session.exec(select(Voiding).where(Voiding.study_id == study.id).order_by(col(Voiding.id))).all()
    owners = {kind: _voided_owners(session, study, kind) for kind in {_entity(v.entity) for v in voids}}
    records = []
    for voiding in voids:
        kind = _entity(voiding.entity)
        animal_id = owners[kind].get(voiding.entity_id)
        code = None if animal_id is None else codes.get(animal_id)
        records.append(
            VoidedRecord(kind, voiding.entity_id, code, voiding.reason, voiding.voided_at, voiding.voided_by)
        )
    return records


def list_voided(workspace: Workspace, study_name: str) -> Sequence[VoidedRecord]:
    """Every voided record of the study (see `voided_records`)."""
    with reading(workspace.engine) as session:
        return voided_records(session, find_study(session, study_name))


def _entity(entity: str) -> VoidEntity:
    for kind in VOID_ENTITIES:
        if entity == kind:
            return kind
    raise InvalidInputError(f"cannot void {entity!r}; accepted: {', '.join(VOID_ENTITIES)}")


def _reason(reason: str) -> str:
    reason = checked_text(reason.strip(), "reason for the void")
    if not reason:
        raise InvalidInputError("a void needs its reason; accepted: a short text saying what was wrong")
    if len(reason) > MAX_VOID_REASON_CHARS:
        raise InvalidInputError(f"reason for the void: accepted: at most {MAX_VOID_REASON_CHARS} characters")
    return reason


def _owners_query(kind: VoidEntity) -> Select[int | None, int, int | None]:
    """(record id, its study's id, its animal's id or None) of every record of `kind`, one row each."""
    return {
        "weight": select(Weight.id, Animal.study_id, Animal.id).join(
            Animal, col(Weight.animal_id) == Animal.id
        ),
        "dose": select(DoseEvent.id, Animal.study_id, Animal.id).join(
            Animal, col(DoseEvent.animal_id) == Animal.id
        ),
        "session": select(FstSession.id, FstSession.study_id, FstSession.animal_id),
        "score": select(ImmobilityScore.id, FstSession.study_id, FstSession.animal_id).join(
            FstSession, col(ImmobilityScore.session_id) == FstSession.id
        ),
        "bottle-sheet": select(SptSheetFile.id, SptPeriod.study_id, null()).join(
            SptPeriod, col(SptSheetFile.period_id) == SptPeriod.id
        ),
    }[kind]


def _owner(session: Session, study: Study, kind: VoidEntity, record_id: int) -> int | None:
    """The animal the record belongs to (None for a bottle sheet), refusing a record of another study."""
    query = _owners_query(kind)
    found = session.exec(query.where(query.selected_columns[0] == record_id)).first()
    _refuse_unless_of(study, kind, record_id, None if found is None else found[1])
    return None if found is None else found[2]


def _voided_owners(session: Session, study: Study, kind: VoidEntity) -> dict[int, int | None]:
    """The animal (None for a bottle sheet) of each record of `kind` voided in the study: one query."""
    query = _owners_query(kind)
    voided = select(Voiding.entity_id).where(Voiding.study_id == study.id, Voiding.entity == kind)
    rows = session.exec(query.where(query.selected_columns[0].in_(voided))).all()
    return {record_id: animal_id for record_id, _, animal_id in rows if record_id is not None}


def _refuse_unless_of(study: Study, kind: VoidEntity, record_id: int, owner_study_id: int | None) -> None:
    if owner_study_id != study.id:
        raise NotFoundError(f"study {study.name!r} has no {kind} {record_id}")
