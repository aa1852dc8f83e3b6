"""Coded dosing: the day's sheet (code, cage, weight, volume; never an arm) and each injection as given."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.audit_head import ChainHead
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Allocation, Animal, DoseEvent, Exclusion, Study, Weight
from behavlab.services.audit import record_event
from behavlab.services.audit_anchor import chain_head
from behavlab.services.display import local_minute
from behavlab.services.guards import refuse_if_unmasked, refuse_unless_randomized
from behavlab.services.library_errors import refused_input
from behavlab.services.lookup import animal_id_of, find_animal_by_typed_code, find_study, stored_id
from behavlab.services.protocol_plan import protocol_sheet_line
from behavlab.services.roster_animals import coded_in_study
from behavlab.services.text import checked_text
from behavlab.services.voiding import latest_live_weight, not_voided
from behavlab.services.workspace import Workspace
from cohorts.dosing import DEFAULT_VOLUME_ML_PER_KG, DoseInput, check_dose_volume, dose_sheet_row
from cohorts.errors import CohortsError
from cohorts.syringe import Syringe

MAX_REPEAT_REASON_CHARS = 500


class RepeatDoseError(ConflictError):
    """A second injection without a reason; `earlier` is when the animal was last dosed."""

    def __init__(self, code: str, earlier: datetime) -> None:
        super().__init__(
            f"animal {code} was already dosed on {local_minute(earlier)}; another injection needs a reason"
        )
        self.earlier = earlier


@dataclass(frozen=True)
class DosingLine:
    """One animal on the day's sheet: its volume, or why it cannot be dosed; whether it was dosed already."""

    code: str
    cage: str
    weight_g: float | None
    weighed_at: datetime | None
    volume_ml: float | None
    refusal: str | None
    dosed: bool
    ear_tag: str | None = None
    last_dosed_at: datetime | None = None
    volume_decimals: int = 3


@dataclass(frozen=True)
class DosingSheet:
    """One dosing day's coded sheet, ordered by cage then code, and the audit chain head it was read at."""

    study: str
    day: date
    volume_ml_per_kg: float
    lines: Sequence[DosingLine]
    audit_head: ChainHead
    #: The protocol version in force and its plan's short hash (`protocol_plan.protocol_sheet_line`).
    protocol: str

    @property
    def refused(self) -> list[DosingLine]:
        """Lines that cannot be dosed as they stand."""
        return [line for line in self.lines if line.refusal is not None]


def local_now() -> datetime:
    """The current time, aware, in this machine's timezone (the lab's day boundaries)."""
    return datetime.now().astimezone()


def dosing_sheet(
    workspace: Workspace,
    study_name: str,
    day: date | None = None,
    limit_ml_per_kg: float = DEFAULT_VOLUME_ML_PER_KG,
    max_weight_age: timedelta | None = None,
) -> DosingSheet:
    """The day's coded sheet: each non-excluded animal's volume from that day's weight, or its refusal."""
    now = local_now()
    as_of = now if day is None or day == now.date() else datetime.combine(day, time(23, 59), now.tzinfo)
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "print a dosing sheet")
        inputs = _dose_inputs(session, study, as_of)
        doses = _dose_times_by_code(session, study)
        audit_head = chain_head(session)
        protocol = protocol_sheet_line(session, study)
    lines = [
        _sheet_line(
            dose_input, ear_tag, doses.get(dose_input.code, []), as_of, study, limit_ml_per_kg, max_weight_age
        )
        for dose_input, ear_tag in inputs
    ]
    lines.sort(key=lambda line: (line.cage, line.code))
    return DosingSheet(study.name, as_of.date(), study.volume_ml_per_kg, lines, audit_head, protocol)


def study_dosing_day(workspace: Workspace, study_name: str) -> date | None:
    """The study's dosing day: the local day of its latest recorded injection; None before any."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        doses = _dose_times_by_code(session, study)
    latest = max((at for times in doses.values() for at in times), default=None)
    return None if latest is None else latest.astimezone().date()


def _sheet_line(
    dose_input: DoseInput,
    ear_tag: str | None,
    dosed_at: Sequence[datetime],
    as_of: datetime,
    study: Study,
    limit_ml_per_kg: float,
    max_weight_age: timedelta | None,
) -> DosingLine:
    """One animal's line: its volume or why not, whether it was dosed on the sheet's day, its last dose."""
    dosed = any(at.astimezone(as_of.tzinfo).date() == as_of.date() for at in dosed_at)
    last = max(dosed_at, default=None)
    try:
        row = dose_sheet_row(dose_input, as_of, study.volume_ml_per_kg, limit_ml_per_kg, max_weight_age)
    except CohortsError as refusal:
        return DosingLine(
            dose_input.code,
            dose_input.cage,
            dose_input.weight_g,
            dose_input.weighed_at,
            None,
            str(refusal),
            dosed,
            ear_tag,
            last,
        )
    syringe = study_syringe(study)
    return DosingLine(
        row.code,
        row.cage,
        row.weight_g,
        row.weighed_at,
        syringe.to_draw_ml(row.volume_ml),
        None,
        dosed,
        ear_tag,
        last,
        syringe.decimals,
    )


def study_syringe(study: Study) -> Syringe:
    """The study's syringe graduation and volume tolerance."""
    return Syringe(study.syringe_graduation_ml, study.volume_tolerance_pct)


def record_dose(
    workspace: Workspace,
    study_name: str,
    typed_code: str,
    at: datetime | None = None,
    volume_ml: float | None = None,
    again_reason: str | None = None,
    limit_ml_per_kg: float = DEFAULT_VOLUME_ML_PER_KG,
) -> DoseEvent:
    """Record one injection with the weight and volume used; another one (any day) needs a reason."""
    at = _dosing_time(at)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "record doses")
        refuse_if_unmasked(session, study, "record doses")
        animal, allocation = find_animal_by_typed_code(session, study, typed_code)
        code = allocation.blind_code
        if session.exec(select(Exclusion.id).where(Exclusion.animal_id == animal.id)).first() is not None:
            raise ConflictError(f"animal {code} is excluded; a dose is not recorded for it")
        reason = _repeat_reason(session, animal, code, again_reason)
        weight, given, deviation = _checked_volume(
            session, study, animal, code, at, volume_ml, limit_ml_per_kg
        )
        event = DoseEvent(
            animal_id=animal_id_of(animal),
            weight_id=stored_id(weight),
            weight_g=weight.weight_g,
            volume_ml=round(given, 4),
            volume_ml_per_kg=study.volume_ml_per_kg,
            given_ml_per_kg=round(given / (weight.weight_g / 1000.0), 4),
            deviation_pct=round(deviation, 2),
            dosed_at=at,
            operator=workspace.actor,
            repeat_reason=reason or None,
        )
        session.add(event)
        session.flush()
        record_event(
            session,
            actor=workspace.actor,
            action=AuditAction.DOSE_RECORD,
            entity="animal",
            entity_id=code,
            study_id=study.id,
            payload={
                "code": code,
                "dosed_at": at.isoformat(),
                "weight_g": weight.weight_g,
                "volume_ml": event.volume_ml,
                "given_ml_per_kg": event.given_ml_per_kg,
                "deviation_pct": event.deviation_pct,
                "repeat_reason": reason or None,
            },
        )
    return event


def _dosing_time(at: datetime | None) -> datetime:
    """When the dose was given: now, or a time with its UTC offset that is not in the future."""
    at = at or local_now()
    if at.tzinfo is None:
        raise InvalidInputError(
            f"--at {at.isoformat()}: accepted: a time with its UTC offset, or none for now"
        )
    if at > local_now() + timedelta(minutes=5):
        raise InvalidInputError(f"--at {at.isoformat()} is in the future; accepted: a time up to now")
    return at


def _checked_volume(
    session: Session,
    study: Study,
    animal: Animal,
    code: str,
    at: datetime,
    volume_ml: float | None,
    limit_ml_per_kg: float,
) -> tuple[Weight, float, float]:
    """The weight used, the volume given (the sheet's unless typed) and its deviation (%), checked."""
    weight = latest_live_weight(session, animal.id, at)
    dose_input = DoseInput(
        code, "", weight.weight_g if weight else None, weight.measured_at if weight else None
    )
    with refused_input():
        planned = dose_sheet_row(dose_input, at, study.volume_ml_per_kg, limit_ml_per_kg)
        syringe = study_syringe(study)
        given = syringe.to_draw_ml(planned.volume_ml) if volume_ml is None else volume_ml
        check_dose_volume(code, given, planned.weight_g, limit_ml_per_kg, syringe)
        deviation = syringe.check_given(code, given, planned.volume_ml)
    if weight is None:
        raise ValueError("a dose needs a stored weight")  # dose_sheet_row refuses an unweighed animal first
    return weight, given, deviation


def _repeat_reason(session: Session, animal: Animal, code: str, again_reason: str | None) -> str:
    """The reason for another injection ('' for the animal's first), refused when missing."""
    earlier = _doses_of(session, animal)
    reason = checked_text((again_reason or "").strip(), "reason for another injection")
    if earlier and not reason:
        raise RepeatDoseError(code, max(dose.dosed_at for dose in earlier))
    if len(reason) > MAX_REPEAT_REASON_CHARS:
        raise InvalidInputError(
            f"reason for another injection: accepted: at most {MAX_REPEAT_REASON_CHARS} characters"
        )
    return reason


def _dose_inputs(session: Session, study: Study, as_of: datetime) -> list[tuple[DoseInput, str | None]]:
    """Each non-excluded coded animal's sheet input (latest weight up to `as_of`) and its ear tag."""
    coded = coded_in_study(session, study)
    ids = [entry.animal.id for _, entry in coded]
    latest: dict[int, Weight] = {}
    for weighing in session.exec(
        select(Weight)
        .where(
            col(Weight.animal_id).in_(ids), col(Weight.measured_at) <= as_of, not_voided("weight", Weight.id)
        )
        .order_by(col(Weight.measured_at), col(Weight.id))
    ):
        latest[weighing.animal_id] = weighing
    inputs = []
    for code, entry in coded:
        weight = latest.get(animal_id_of(entry.animal))
        dose_input = DoseInput(
            code,
            entry.cage or "",
            weight.weight_g if weight else None,
            weight.measured_at if weight else None,
        )
        inputs.append((dose_input, entry.animal.ear_tag))
    return inputs


def _dose_times_by_code(session: Session, study: Study) -> dict[str, list[datetime]]:
    """When each coded animal of the study was dosed, by code."""
    rows = session.exec(
        select(Allocation.blind_code, DoseEvent.dosed_at)
        .join(DoseEvent, col(DoseEvent.animal_id) == Allocation.animal_id)
        .where(Allocation.study_id == study.id, not_voided("dose", DoseEvent.id))
    ).all()
    times: dict[str, list[datetime]] = {}
    for code, dosed_at in rows:
        times.setdefault(code, []).append(dosed_at)
    return times


def _doses_of(session: Session, animal: Animal) -> Sequence[DoseEvent]:
    return session.exec(
        select(DoseEvent)
        .where(DoseEvent.animal_id == animal.id, not_voided("dose", DoseEvent.id))
        .order_by(col(DoseEvent.id))
    ).all()
