"""One animal's record in time order, as a technician may see it: never its arm."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.models import DoseEvent, Exclusion, FstSession, ImmobilityScore, SptPeriod, SptReading, Weight
from behavlab.services.lookup import find_animal_by_typed_code, find_study
from behavlab.services.workspace import Workspace


@dataclass(frozen=True)
class TimelineEntry:
    """One dated fact about an animal."""

    at: datetime
    kind: str
    detail: str


def animal_timeline(workspace: Workspace, study_name: str, typed_code: str) -> Sequence[TimelineEntry]:
    """Weights, doses, SPT periods, FST sessions with their scores, and exclusions, oldest first."""
    entries: list[TimelineEntry] = []
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        animal, _ = find_animal_by_typed_code(session, study, typed_code)
        for weight in session.exec(select(Weight).where(Weight.animal_id == animal.id)):
            entries.append(TimelineEntry(weight.measured_at, "weight", f"{weight.weight_g:g} g"))
        for dose in session.exec(select(DoseEvent).where(DoseEvent.animal_id == animal.id)):
            again = f" (again: {dose.repeat_reason})" if dose.repeat_reason else ""
            entries.append(
                TimelineEntry(
                    dose.dosed_at,
                    "dose",
                    f"{dose.volume_ml:.3f} mL at {dose.weight_g:g} g by {dose.operator}{again}",
                )
            )
        for spt, period in session.exec(
            select(SptReading, SptPeriod)
            .join(SptPeriod, col(SptPeriod.id) == SptReading.period_id)
            .where(SptReading.animal_id == animal.id)
        ):
            total = spt.sucrose_ml + spt.water_ml
            preference = 100 * spt.sucrose_ml / total if total else float("nan")
            entries.append(
                TimelineEntry(
                    period.ends_at,
                    "spt",
                    f"{period.label} ({period.phase}): {preference:.1f}% sucrose, side {spt.sucrose_side}",
                )
            )
        for fst in session.exec(select(FstSession).where(FstSession.animal_id == animal.id)):
            entries.append(
                TimelineEntry(
                    fst.tested_at, "fst", f"session {fst.id}: {fst.roi_label} in {Path(fst.video_path).name}"
                )
            )
            for score in session.exec(select(ImmobilityScore).where(ImmobilityScore.session_id == fst.id)):
                seconds = "n/a" if score.immobility_s is None else f"{score.immobility_s:.1f} s"
                entries.append(
                    TimelineEntry(
                        score.scored_at, "score", f"session {fst.id} {score.method}: immobile {seconds}"
                    )
                )
        for exclusion in session.exec(select(Exclusion).where(Exclusion.animal_id == animal.id)):
            entries.append(
                TimelineEntry(
                    exclusion.decided_at, "exclusion", f"{exclusion.reason} (by {exclusion.decided_by})"
                )
            )
    return sorted(entries, key=lambda entry: entry.at)
