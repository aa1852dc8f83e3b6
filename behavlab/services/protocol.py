"""The study's protocol: versions of its plan, the primary outcome and the scoring method that measures it.

Declared before the data can be seen: refused once the study is unmasked. Each declaration is a new version;
a change of an earlier one needs its reason, and a change after randomization is an amendment. A version holds
the whole plan as canonical JSON and its SHA-256 (`behavlab.services.protocol_plan`); a version declared with
the primary outcome alone (`declare_primary`) carries the current plan with the new primary, or no plan when
there is none yet. The primary outcome and method are also kept in their own columns, so the report labels a
result "primary" only when it is the declared outcome scored by the declared method.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from analysis.plan import ProtocolPlan, canonical_json, plan_from_json, plan_sha256
from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Protocol, Randomization, Study
from behavlab.report.measures import OUTCOME_UNITS
from behavlab.services.audit import record_study_event
from behavlab.services.guards import refuse_if_unmasked, study_is_randomized
from behavlab.services.lookup import find_study, study_id_of
from behavlab.services.protocol_design import (
    OUTCOME_ALIASES,
    SCORED_OUTCOMES,
    checked_plan,
    outcome_name,
)
from behavlab.services.scoring_methods import PRIMARY_METHODS
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace

MAX_PROTOCOL_REASON_CHARS = 1000


@dataclass(frozen=True)
class DeclaredProtocol:
    """One version of the protocol, and whether it was made before the allocation was committed.

    `plan` and `plan_sha256` are None for a version that declared the primary outcome alone.
    """

    version: int
    primary_outcome: str
    primary_method: str | None
    reason: str | None
    declared_at: datetime
    declared_by: str
    before_randomization: bool
    plan: ProtocolPlan | None = None
    plan_sha256: str | None = None


def declare_primary(
    workspace: Workspace, study_name: str, outcome: str, method: str | None, reason: str | None = None
) -> DeclaredProtocol:
    """Declare the study's primary outcome and its scoring method (none for an unscored outcome)."""
    outcome, method = _checked_endpoint(outcome_name(outcome), method)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        current = current_protocol(session, study)
        plan = None
        if current is not None and current.plan is not None:
            primary = replace(plan_from_json(current.plan), primary_outcome=outcome, primary_method=method)
            plan = checked_plan(session, study, primary)
        return record_version(session, workspace, study, (outcome, method, plan), reason)


def record_version(
    session: Session,
    workspace: Workspace,
    study: Study,
    declared: tuple[str, str | None, ProtocolPlan | None],
    reason: str | None,
) -> DeclaredProtocol:
    """Store the next version (outcome, method, plan) and audit it, in the caller's writer transaction.

    Refused once the study is unmasked; a change needs its reason, and after randomization it is audited as
    an amendment.
    """
    outcome, method, plan = declared
    refuse_if_unmasked(session, study, "declare its protocol now that its data can be seen")
    reason = _checked_reason(reason)
    current = current_protocol(session, study)
    if current is not None and reason is None:
        raise ConflictError(
            f"study {study.name!r} declared {_endpoint(current)} on {current.declared_at:%Y-%m-%d}; "
            "a change needs its reason (after randomization it is an amendment: give --reason)"
        )
    text = None if plan is None else canonical_json(plan)
    stored = Protocol(
        study_id=study_id_of(study),
        version=1 if current is None else current.version + 1,
        primary_outcome=outcome,
        primary_method=method,
        reason=reason,
        plan=text,
        plan_sha256=None if text is None else plan_sha256(text),
        declared_by=workspace.actor,
    )
    session.add(stored)
    session.flush()
    amends = current is not None and study_is_randomized(session, study)
    record_study_event(
        session,
        workspace,
        study,
        AuditAction.PROTOCOL_AMEND if amends else AuditAction.PROTOCOL_DECLARE,
        {
            "version": stored.version,
            "primary_outcome": outcome,
            "primary_method": method,
            "reason": reason,
            **({} if stored.plan_sha256 is None else {"plan_sha256": stored.plan_sha256}),
        },
    )
    return _view(session, study, stored)


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


def _checked_reason(reason: str | None) -> str | None:
    reason = checked_text((reason or "").strip(), "reason for the change") or None
    if reason is not None and len(reason) > MAX_PROTOCOL_REASON_CHARS:
        raise InvalidInputError(
            f"reason for the change: accepted: at most {MAX_PROTOCOL_REASON_CHARS} characters"
        )
    return reason


def _checked_endpoint(outcome: str, method: str | None) -> tuple[str, str | None]:
    method = (method or "").strip() or None
    if outcome not in OUTCOME_UNITS:
        raise InvalidInputError(
            f"primary outcome {outcome!r} not known; accepted: {', '.join(OUTCOME_UNITS)} "
            f"(or {', '.join(OUTCOME_ALIASES)})"
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
        None if protocol.plan is None else plan_from_json(protocol.plan),
        protocol.plan_sha256,
    )
