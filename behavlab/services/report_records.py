"""The study report's records of the bench and the protocol.

The declared primary outcome, the plan in force with its amendments, each cohort's randomization, the doses
as given, the voids.

Read into :mod:`behavlab.report`'s model by :func:`behavlab.services.reporting.build_report_data`. Doses are
given by blind code in mL/kg and % deviation only (the report works out the mg/kg received once the arms are
known); voided doses are left out and every voided record is listed by code. A cohort's seed, block sizes and
balance come from the full unmasking's record alone.
"""

import json

from sqlmodel import Session, col, select

from analysis.plan import plan_from_json
from behavlab.audit_actions import AuditAction
from behavlab.models import (
    Allocation,
    AuditEvent,
    Cohort,
    DoseEvent,
    Protocol,
    Randomization,
    SealedKey,
    Study,
    UnmaskEvent,
)
from behavlab.report import DoseInfo, PrimaryEndpoint, ProtocolDeclaration, VoidedInfo
from behavlab.report.plan_records import CohortDraw, ProtocolAmendment, ProtocolInfo
from behavlab.services.allocation_record import opened_parts
from behavlab.services.protocol import current_protocol, declared_protocol
from behavlab.services.voiding import not_voided, voided_records


def primary_endpoint(session: Session, study: Study) -> PrimaryEndpoint | None:
    """The declaration in force with every version before it, or None if the study declared none."""
    current = declared_protocol(session, study)
    if current is None:
        return None
    versions = session.exec(
        select(Protocol).where(Protocol.study_id == study.id).order_by(col(Protocol.version))
    ).all()
    declarations = tuple(
        ProtocolDeclaration(
            v.version, v.primary_outcome, v.primary_method, v.declared_at, v.declared_by, v.reason
        )
        for v in versions
    )
    return PrimaryEndpoint(
        current.primary_outcome, current.primary_method, declarations, current.before_randomization
    )


def doses_given(session: Session, study: Study) -> tuple[DoseInfo, ...]:
    """Every dose not voided, by the animal's blind code, in the order given."""
    rows = session.exec(
        select(DoseEvent, Allocation.blind_code)
        .join(Allocation, col(Allocation.animal_id) == DoseEvent.animal_id)
        .where(Allocation.study_id == study.id, not_voided("dose", DoseEvent.id))
        .order_by(col(DoseEvent.dosed_at), col(DoseEvent.id))
    ).all()
    return tuple(
        DoseInfo(
            code,
            dose.dosed_at,
            dose.weight_g,
            dose.volume_ml,
            dose.volume_ml_per_kg,
            dose.given_ml_per_kg,
            dose.deviation_pct,
        )
        for dose, code in rows
    )


def voided(session: Session, study: Study) -> tuple[VoidedInfo, ...]:
    """Every voided record of the study, oldest void first, by its animal's code."""
    return tuple(
        VoidedInfo(v.entity, v.record_id, v.code, v.reason, v.voided_by, v.voided_at)
        for v in voided_records(session, study)
    )


def protocol_info(session: Session, study: Study) -> ProtocolInfo | None:
    """The protocol version in force, its plan and each amendment after randomizing; None without a plan."""
    current = current_protocol(session, study)
    if current is None or current.plan is None or current.plan_sha256 is None:
        return None
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.study_id == study.id, AuditEvent.action == AuditAction.PROTOCOL_AMEND)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()
    payloads = [(event, json.loads(event.payload)) for event in events]
    amendments = tuple(
        ProtocolAmendment(payload["version"], payload.get("reason"), event.actor, event.at)
        for event, payload in payloads
    )
    return ProtocolInfo(
        plan_from_json(current.plan),
        current.version,
        current.plan_sha256,
        current.declared_at,
        current.declared_by,
        amendments,
    )


def protocol_waived(session: Session, study: Study) -> bool:
    """Whether a randomization of the study ran without a protocol, as its user asked."""
    query = select(Randomization.id).where(
        Randomization.study_id == study.id, col(Randomization.protocol_waived).is_(True)
    )
    return session.exec(query).first() is not None


def cohort_draws(session: Session, study: Study, unmask: UnmaskEvent | None) -> tuple[CohortDraw, ...]:
    """Each cohort's randomization in the order drawn; its seed, blocks, balance and opening once unmasked."""
    rows = session.exec(
        select(Randomization, SealedKey.commitment, Cohort)
        .join(SealedKey, col(SealedKey.randomization_id) == Randomization.id)
        .join(Cohort, col(Cohort.id) == Randomization.cohort_id)
        .where(Randomization.study_id == study.id)
        .order_by(col(Randomization.sequence))
    ).all()
    opened = opened_parts(unmask, [record.sequence for record, _, _ in rows])
    return tuple(
        CohortDraw(
            cohort=cohort.name,
            starts_on=cohort.starts_on,
            method=record.method,
            strata=tuple(s for s in record.strata.split(",") if s),
            n_animals=record.n_animals,
            created_at=record.created_at,
            created_by=record.created_by,
            commitment=commitment,
            protocol_waived=bool(record.protocol_waived),
            commitment_verified=unmask is not None,
            seed=parts.seed,
            block_sizes=parts.block_sizes,
            balance_lines=parts.balance_lines,
            commitment_opening=parts.commitment_opening,
        )
        for (record, commitment, cohort), parts in zip(rows, opened, strict=True)
    )
