"""The study's declared protocol: its primary outcome and the scoring method that measures it.

Declared before the data can be seen: refused once the study is unmasked. Each declaration is a new version;
a change of an earlier one needs its reason. The report labels a result "primary" only when it is the
declared outcome scored by the declared method.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Protocol, Randomization, Study
from behavlab.report.measures import IMMOBILITY_OUTCOME, LATENCY_OUTCOME, OUTCOME_UNITS
from behavlab.services.audit import record_study_event
from behavlab.services.fst import MANUAL_METHOD
from behavlab.services.guards import refuse_if_unmasked
from behavlab.services.lookup import find_study, study_id_of
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from tracking.rules.methods import METHOD_NAMES

#: Outcomes measured by a scoring method (the others, sucrose preference, have none).
SCORED_OUTCOMES = (IMMOBILITY_OUTCOME, LATENCY_OUTCOME)
PRIMARY_METHODS = (*METHOD_NAMES, MANUAL_METHOD)
PRIMARY_OUTCOMES = tuple(OUTCOME_UNITS)
MAX_PROTOCOL_REASON_CHARS = 1000


@dataclass(frozen=True)
class DeclaredProtocol:
    """One version of the declaration, and whether it was made before the allocation was committed."""

    version: int
    primary_outcome: str
    primary_method: str | None
    reason: str | None
    declared_at: datetime
    declared_by: str
    before_randomization: bool


def declare_primary(
    workspace: Workspace, study_name: str, outcome: str, method: str | None, reason: str | None = None
) -> DeclaredProtocol:
    """Declare the study's primary outcome and its scoring method (none for an unscored outcome)."""
    outcome, method = _checked_endpoint(outcome, method)
    reason = checked_text((reason or "").strip(), "reason for the change") or None
    if reason is not None and len(reason) > MAX_PROTOCOL_REASON_CHARS:
        raise InvalidInputError(
            f"reason for the change: accepted: at most {MAX_PROTOCOL_REASON_CHARS} characters"
        )
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_if_unmasked(session, study, "declare its primary outcome now that its data can be seen")
        current = current_protocol(session, study)
        if current is not None and reason is None:
            raise ConflictError(
                f"study {study.name!r} declared {_endpoint(current)} on {current.declared_at:%Y-%m-%d}; "
                "a change needs its reason"
            )
        declared = Protocol(
            study_id=study_id_of(study),
            version=1 if current is None else current.version + 1,
            primary_outcome=outcome,
            primary_method=method,
            reason=reason,
            declared_by=workspace.actor,
        )
        session.add(declared)
        session.flush()
        record_study_event(
            session,
            workspace,
            study,
            AuditAction.PROTOCOL_DECLARE,
            {
                "version": declared.version,
                "primary_outcome": outcome,
                "primary_method": method,
                "reason": reason,
            },
        )
        return _view(session, study, declared)


def study_protocol(workspace: Workspace, study_name: str) -> DeclaredProtocol | None:
    """The study's current declaration, or None if it declared none."""
    with reading(workspace.engine) as session:
        return declared_protocol(session, find_study(session, study_name))


def declared_protocol(session: Session, study: Study) -> DeclaredProtocol | None:
    """The study's current declaration as shown, or None if it declared none."""
    current = current_protocol(session, study)
    return None if current is None else _view(session, study, current)


def current_protocol(session: Session, study: Study) -> Protocol | None:
    """The latest version of the study's declaration."""
    query = select(Protocol).where(Protocol.study_id == study.id).order_by(col(Protocol.version).desc())
    return session.exec(query).first()


def _checked_endpoint(outcome: str, method: str | None) -> tuple[str, str | None]:
    outcome = outcome.strip()
    method = (method or "").strip() or None
    if outcome not in OUTCOME_UNITS:
        raise InvalidInputError(
            f"primary outcome {outcome!r} not known; accepted: {', '.join(OUTCOME_UNITS)}"
        )
    if outcome in SCORED_OUTCOMES and method not in PRIMARY_METHODS:
        raise InvalidInputError(
            f"primary outcome {outcome} needs its scoring method, not {method!r}; accepted: "
            f"{', '.join(PRIMARY_METHODS)}"
        )
    if outcome not in SCORED_OUTCOMES and method is not None:
        raise InvalidInputError(f"primary outcome {outcome} is not scored by a method; give none")
    return outcome, method


def _endpoint(protocol: Protocol) -> str:
    method = f" by {protocol.primary_method}" if protocol.primary_method else ""
    return f"{protocol.primary_outcome}{method}"


def _view(session: Session, study: Study, protocol: Protocol) -> DeclaredProtocol:
    randomized = session.exec(
        select(Randomization.created_at).where(Randomization.study_id == study.id)
    ).first()
    return DeclaredProtocol(
        protocol.version,
        protocol.primary_outcome,
        protocol.primary_method,
        protocol.reason,
        protocol.declared_at,
        protocol.declared_by,
        randomized is None or protocol.declared_at < randomized,
    )
