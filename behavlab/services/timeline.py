"""One animal's record in time order, as a technician may see it: never its arm."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from behavlab.db.session import reading
from behavlab.models import (
    Animal,
    DoseEvent,
    Exclusion,
    FstSession,
    ImmobilityScore,
    SptPeriod,
    SptReading,
    Voiding,
    Weight,
)
from behavlab.services.lookup import animal_id_of, blind_codes, find_animal, find_study
from behavlab.services.voiding import VoidEntity, live_readings
from behavlab.services.workspace import Workspace


@dataclass(frozen=True)
class TimelineEntry:
    """One dated fact about an animal; a record that can be voided carries its id, and its void's reason."""

    at: datetime
    kind: str
    detail: str
    record_id: int | None = None
    void_reason: str | None = None


@dataclass(frozen=True)
class AnimalTimeline:
    """An animal's record: the name it is shown by (its blind code, its lab ID before randomization)."""

    shown_as: str
    entries: Sequence[TimelineEntry]


def animal_timeline(workspace: Workspace, study_name: str, typed_animal: str) -> AnimalTimeline:
    """Weights, doses, SPT periods, FST sessions with their scores, and exclusions, oldest first.

    The animal is named by its lab ID or its blind code. Voided records are listed with their reason.
    """
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        animal = find_animal(session, study, typed_animal)
        shown_as = blind_codes(session, study).get(animal_id_of(animal), animal.label)
        voids = {
            (v.entity, v.entity_id): v.reason
            for v in session.exec(select(Voiding).where(Voiding.study_id == study.id))
        }
        entries = [
            *_weights_and_doses(session, animal),
            *_bottles(session, animal),
            *_sessions(session, animal),
            *(
                TimelineEntry(
                    exclusion.decided_at, "exclusion", f"{exclusion.reason} (by {exclusion.decided_by})"
                )
                for exclusion in session.exec(select(Exclusion).where(Exclusion.animal_id == animal.id))
            ),
        ]
    marked = [
        replace(entry, void_reason=voids.get((_VOIDABLE[entry.kind], entry.record_id or 0)))
        if entry.kind in _VOIDABLE
        else entry
        for entry in entries
    ]
    return AnimalTimeline(shown_as, sorted(marked, key=lambda entry: entry.at))


#: The void entity of each timeline kind that can be voided.
_VOIDABLE: dict[str, VoidEntity] = {"weight": "weight", "dose": "dose", "fst": "session", "score": "score"}


def _weights_and_doses(session: Session, animal: Animal) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(weight.measured_at, "weight", f"{weight.weight_g:g} g", weight.id)
        for weight in session.exec(select(Weight).where(Weight.animal_id == animal.id))
    ]
    for dose in session.exec(select(DoseEvent).where(DoseEvent.animal_id == animal.id)):
        again = f" (again: {dose.repeat_reason})" if dose.repeat_reason else ""
        given = f"{dose.volume_ml:g} mL at {dose.weight_g:g} g ({dose.deviation_pct:+.1f} %)"
        entries.append(TimelineEntry(dose.dosed_at, "dose", f"{given} by {dose.operator}{again}", dose.id))
    return entries


def _bottles(session: Session, animal: Animal) -> list[TimelineEntry]:
    entries = []
    for spt, period in session.exec(
        select(SptReading, SptPeriod)
        .join(SptPeriod, col(SptPeriod.id) == SptReading.period_id)
        .where(SptReading.animal_id == animal.id, live_readings())
    ):
        total = spt.sucrose_ml + spt.water_ml
        preference = 100 * spt.sucrose_ml / total if total else float("nan")
        detail = f"{period.label} ({period.phase}): {preference:.1f}% sucrose, side {spt.sucrose_side}"
        entries.append(TimelineEntry(period.ends_at, "spt", detail))
    return entries


def _sessions(session: Session, animal: Animal) -> list[TimelineEntry]:
    entries = []
    for fst in session.exec(select(FstSession).where(FstSession.animal_id == animal.id)):
        detail = f"session {fst.id}: {fst.roi_label} in {Path(fst.video_path).name}"
        entries.append(TimelineEntry(fst.tested_at, "fst", detail, fst.id))
        for score in session.exec(select(ImmobilityScore).where(ImmobilityScore.session_id == fst.id)):
            seconds = "n/a" if score.immobility_s is None else f"{score.immobility_s:.1f} s"
            detail = f"session {fst.id} {score.method}: immobile {seconds}"
            entries.append(TimelineEntry(score.scored_at, "score", detail, score.id))
    return entries
