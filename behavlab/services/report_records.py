"""The study report's records of the bench: the declared primary outcome, the doses as given, the voids.

Read into :mod:`behavlab.report`'s model by :func:`behavlab.services.reporting.build_report_data`. Doses are
given by blind code in mL/kg and % deviation only (the report works out the mg/kg received once the arms are
known); voided doses are left out and every voided record is listed by code.
"""

from sqlmodel import Session, col, select

from behavlab.models import Allocation, DoseEvent, Protocol, Study
from behavlab.report import DoseInfo, PrimaryEndpoint, ProtocolDeclaration, VoidedInfo
from behavlab.services.protocol import declared_protocol
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
