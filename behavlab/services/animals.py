"""The animals: weighing, animals with welfare flags, and exclusions (never deletions).

The roster import that adds them is `behavlab.services.roster_import`.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple, cast

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Animal, Exclusion, Study, Weight, utc_now
from behavlab.services.amendments import record_amendment
from behavlab.services.animal_table import AnimalColumns, animals_query, loss_flag
from behavlab.services.animal_view import AnimalView
from behavlab.services.audit import record_event, record_study_event
from behavlab.services.display import local_minute
from behavlab.services.guards import refuse_if_unmasked, study_is_unmasked
from behavlab.services.library_errors import refused_files
from behavlab.services.lookup import animal_id_of, blind_codes, find_animal, find_study
from behavlab.services.precision import check_weight
from behavlab.services.roster_view import live_weight
from behavlab.services.text import checked_text
from behavlab.services.voiding import not_voided
from behavlab.services.workspace import Workspace
from cohorts.weights import flag_weight_history, read_weight_sheet

MAX_REASON_CHARS = 500


class BackDatedWeightError(ConflictError):
    """Weighings dated before the animal's latest recorded weight, not declared a back-entry."""


@dataclass(frozen=True)
class WeighingSummary:
    """What a weight sheet added, the flagged animals, and the time given to rows without one (if any)."""

    n_weights: int
    flagged: Sequence[str]
    default_measured_at: datetime | None = None


class WeightPoint(NamedTuple):
    """One live weight of an animal's history."""

    weight_g: float
    measured_at: datetime


@dataclass(frozen=True)
class AnimalStatus:
    """One animal as the bench sees it: identity, cage, blind code, weights and flags."""

    label: str
    ear_tag: str | None
    sex: str
    strain: str
    date_of_birth: date
    cage: str | None
    blind_code: str | None
    baseline_weight_g: float | None
    last_weight_g: float | None
    last_weighed_at: datetime | None
    weight_loss_flag: bool
    exclusion_reason: str | None

    @property
    def excluded(self) -> bool:
        """Whether an exclusion is recorded for this animal."""
        return self.exclusion_reason is not None


def record_weights(
    workspace: Workspace,
    study_name: str,
    path: Path,
    now: datetime | None = None,
    back_entry: bool = False,
) -> WeighingSummary:
    """Add a weight sheet (animals by lab ID or blind code; untimed rows count as now) and flag weight loss.

    A weighing dated before the animal's latest recorded weight is refused unless the sheet is declared a
    `back_entry`; each history stays in time order, its earliest weight the baseline.
    """
    now = now or utc_now()
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        animals = session.exec(select(Animal).where(Animal.study_id == study.id)).all()
        codes = blind_codes(session, study)
        code_labels = {codes[animal.id]: animal.label for animal in animals if animal.id in codes}
    with refused_files(f"weight sheet {path.name}"):
        entries = read_weight_sheet(
            path,
            known_ids=[a.label for a in animals],
            now=now,
            blind_codes=code_labels,
            precision_g=study.weight_precision_g,
        )
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_if_unmasked(session, study, "record weights")
        by_label = {a.label: a for a in session.exec(select(Animal).where(Animal.study_id == study.id))}
        weighings = [(by_label[entry.animal_id], entry.measured_at or now) for entry in entries]
        if not back_entry:
            _refuse_before_latest(session, study, weighings, f"weight sheet {path.name}")
        for entry, (animal, measured_at) in zip(entries, weighings, strict=True):
            session.add(
                Weight(
                    animal_id=animal_id_of(animal),
                    weight_g=entry.weight_g,
                    measured_at=measured_at,
                    recorded_by=workspace.actor,
                )
            )
        session.flush()
        histories = _weight_histories(session, study)
        flagged = sorted(
            {animal.label for animal, _ in weighings if _loss_flag(histories[animal_id_of(animal)])}
        )
        record_study_event(
            session,
            workspace,
            study,
            AuditAction.WEIGHTS_RECORD,
            {"file": path.name, "n_weights": len(entries), "n_flagged": len(flagged)},
        )
    untimed = any(entry.measured_at is None for entry in entries)
    return WeighingSummary(len(entries), flagged, now if untimed else None)


def record_weight(
    workspace: Workspace,
    study_name: str,
    animal_key: str,
    weight_g: float,
    measured_at: datetime | None = None,
    back_entry: bool = False,
) -> WeighingSummary:
    """Add one weight (animal by roster ID or blind code) at the bench, with the same rules as a sheet."""
    now = utc_now()
    dated = measured_at is not None and not back_entry
    measured_at = measured_at or now
    refuse_unless_past(measured_at, now, "measured_at")
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        check_weight(weight_g, animal_key, study.weight_precision_g)
        refuse_if_unmasked(session, study, "record weights")
        animal = find_animal(session, study, animal_key)
        if dated:
            _refuse_before_latest(session, study, [(animal, measured_at)], f"weight of {animal_key}")
        session.add(
            Weight(
                animal_id=animal_id_of(animal),
                weight_g=weight_g,
                measured_at=measured_at,
                recorded_by=workspace.actor,
            )
        )
        session.flush()
        history = session.exec(
            select(Weight)
            .where(Weight.animal_id == animal.id, not_voided("weight", Weight.id))
            .order_by(col(Weight.measured_at), col(Weight.id))
        ).all()
        flagged = [animal.label] if _loss_flag(history) else []
        record_event(
            session,
            actor=workspace.actor,
            action=AuditAction.WEIGHT_RECORD,
            entity="animal",
            entity_id=animal.label,
            study_id=study.id,
            payload={"weight_g": weight_g, "measured_at": measured_at.isoformat(), "flagged": bool(flagged)},
        )
    return WeighingSummary(n_weights=1, flagged=flagged)


def list_animals(
    workspace: Workspace, study_name: str, view: AnimalView = AnimalView()
) -> Sequence[AnimalStatus]:
    """The study's animals, each with its current cage, code, weights and flags, as `view` selects and sorts.

    By default every animal, in roster-ID order.

    One query, one row per animal (`behavlab.services.animal_table`): 100,000 animals cost no per-animal
    query, ORM object or per-weight row. The Animals screen reads only its columns (`list_animal_lines`).
    """
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        query = animals_query(
            study,
            col(Animal.label),
            col(Animal.ear_tag),
            col(Animal.sex),
            col(Animal.strain),
            col(Animal.date_of_birth),
            live_weight(col(Weight.measured_at), latest=True),
            view=view,
        )
        rows = cast(Sequence[StatusRow], session.connection().execute(query).all())
    return [
        AnimalStatus(
            label=label,
            ear_tag=tag,
            sex=sex,
            strain=strain,
            date_of_birth=born,
            cage=cage,
            blind_code=code,
            baseline_weight_g=baseline_g,
            last_weight_g=last_g,
            last_weighed_at=weighed_at,
            weight_loss_flag=loss_flag(baseline_g, last_g),
            exclusion_reason=reason,
        )
        for label, tag, sex, strain, born, weighed_at, cage, code, baseline_g, last_g, reason in rows
    ]


#: A row of `list_animals`' query: label, ear tag, sex, strain, date of birth, time of the last weight, then
#: `AnimalColumns` (cage, code, baseline g, last g and exclusion reason).
StatusRow = tuple[str, str | None, str, str, date, datetime | None, *AnimalColumns]


def exclude_animal(
    workspace: Workspace, study_name: str, animal_key: str, reason: str, criterion_set_a_priori: bool
) -> Exclusion:
    """Record that an animal is left out of the analysis, with its reason; it stays on the roster."""
    reason = checked_text(reason.strip(), "exclusion reason")
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidInputError(f"an exclusion needs a reason of 1-{MAX_REASON_CHARS} characters")
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        animal = find_animal(session, study, animal_key)
        exclusion = Exclusion(
            animal_id=animal_id_of(animal),
            reason=reason,
            criterion_set_a_priori=criterion_set_a_priori,
            decided_blind=not study_is_unmasked(session, study),
            decided_by=workspace.actor,
        )
        session.add(exclusion)
        session.flush()
        record_event(
            session,
            actor=workspace.actor,
            action=AuditAction.ANIMAL_EXCLUDE,
            entity="animal",
            entity_id=animal_key,
            study_id=study.id,
            payload={
                "reason": reason,
                "criterion_set_a_priori": criterion_set_a_priori,
                "decided_blind": exclusion.decided_blind,
            },
        )
        if not exclusion.decided_blind:
            record_amendment(
                session,
                study,
                actor=workspace.actor,
                what=f"animal {animal_key} excluded after unmasking",
                reason=reason,
                entity="animal",
                entity_id=animal_key,
            )
    return exclusion


def refuse_unless_past(moment: datetime, now: datetime, field: str) -> None:
    """Refuse a time without its UTC offset, or one after `now`, naming the field."""
    if moment.tzinfo is None or moment > now:
        raise InvalidInputError(
            f"{field} {moment.isoformat()} not accepted; accepted: a time with its UTC offset, up to now"
        )


def _refuse_before_latest(
    session: Session, study: Study, weighings: Sequence[tuple[Animal, datetime]], what: str
) -> None:
    """Refuse weighings dated before the animal's latest recorded weight unless declared a back-entry."""
    histories = _weight_histories(session, study)
    earlier = []
    for animal, measured_at in weighings:
        history = histories.get(animal_id_of(animal))
        if history and measured_at < history[-1].measured_at:
            earlier.append(
                f"{animal.label} at {local_minute(measured_at)} "
                f"(latest recorded {local_minute(history[-1].measured_at)})"
            )
    if earlier:
        raise BackDatedWeightError(
            f"{what} refused, nothing was recorded: dated before the latest recorded weight of "
            f"{'; '.join(earlier)}; if these are earlier weighings entered late, record them as a back-entry"
        )


def _weight_histories(session: Session, study: Study) -> dict[int, list[WeightPoint]]:
    """Each animal's live (not voided) weights, oldest first, by animal id: one query, columns only."""
    histories: dict[int, list[WeightPoint]] = defaultdict(list)
    for animal_id, weight_g, measured_at in session.exec(_live_weights(study)):
        histories[animal_id].append(WeightPoint(weight_g, measured_at))
    return histories


def _live_weights(study: Study) -> Select[int, float, datetime]:
    """The study's live (not voided) weights as (animal id, grams, time), oldest first."""
    return (
        select(Weight.animal_id, Weight.weight_g, Weight.measured_at)
        .join(Animal, col(Animal.id) == Weight.animal_id)
        .where(Animal.study_id == study.id, not_voided("weight", Weight.id))
        .order_by(col(Weight.measured_at), col(Weight.id))
    )


def _loss_flag(history: Sequence[WeightPoint | Weight]) -> bool:
    return bool(history) and flag_weight_history([w.weight_g for w in history])[-1]
