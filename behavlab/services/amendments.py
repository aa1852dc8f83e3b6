"""Amendments: the only corrections an unmasked study accepts, each with its reason.

Once a study is unmasked its data are locked; a correction is possible only as an amendment with a reason,
recorded, audited and listed in the report.
"""

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Amendment, Study
from behavlab.services.audit import record_event
from behavlab.services.guards import study_is_unmasked
from behavlab.services.text import checked_text

MAX_AMENDMENT_REASON_CHARS = 1000


def amendment_reason(session: Session, study: Study, doing: str, reason: str | None) -> str | None:
    """The reason under which a change to the study is made: None while blind (a plain change).

    Otherwise the amendment's reason, which an unmasked study requires and a blind one refuses.
    """
    reason = checked_text((reason or "").strip(), "amendment reason")
    if not study_is_unmasked(session, study):
        if reason:
            raise InvalidInputError(
                f"study {study.name!r} is still blind: --amend is only for corrections after unmasking; "
                "record the change without it"
            )
        return None
    if not reason:
        raise ConflictError(
            f"study {study.name!r} is unmasked and locked; cannot {doing} except as an amendment: "
            "give --amend with the reason for the correction"
        )
    if len(reason) > MAX_AMENDMENT_REASON_CHARS:
        raise InvalidInputError(f"--amend reason: accepted: at most {MAX_AMENDMENT_REASON_CHARS} characters")
    return reason


def record_amendment(
    session: Session,
    study: Study,
    *,
    actor: str,
    what: str,
    reason: str,
    entity: str,
    entity_id: str | None = None,
) -> Amendment:
    """Store one post-unmasking correction and audit it, in the caller's writer transaction."""
    amendment = Amendment(
        study_id=study.id or 0, what=what, reason=reason, entity=entity, entity_id=entity_id, by=actor
    )
    session.add(amendment)
    session.flush()
    record_event(
        session,
        actor=actor,
        action=AuditAction.AMENDMENT_RECORD,
        entity=entity,
        entity_id=entity_id,
        study_id=study.id,
        payload={"what": what, "reason": reason, "amendment_id": amendment.id},
    )
    return amendment


def study_amendments(session: Session, study: Study) -> list[Amendment]:
    """Every amendment of a study, oldest first."""
    query = select(Amendment).where(Amendment.study_id == study.id).order_by(col(Amendment.at))
    return list(session.exec(query))
