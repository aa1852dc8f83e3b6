"""The record a screen offers to void, named so its user can check it is the wrong one before voiding it.

Each lookup finds the latest record that still counts (not voided) and describes it by what was typed and
when: a weight by its grams, a dose by its volume, a score by its method and seconds; never an arm.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.errors import NotFoundError
from behavlab.models import DoseEvent, FstSession, ImmobilityScore
from behavlab.services.display import local_minute
from behavlab.services.lookup import find_animal, find_study, stored_id
from behavlab.services.voiding import VoidEntity, latest_live_weight, live_scores, live_sessions, not_voided
from behavlab.services.workspace import Workspace


@dataclass(frozen=True)
class VoidTarget:
    """One record that can be voided (`entity`, `record_id`) and how it is named in the confirmation."""

    entity: VoidEntity
    record_id: int
    description: str


def latest_weight(workspace: Workspace, study_name: str, typed_animal: str) -> VoidTarget:
    """The animal's (lab ID or code) latest weight that counts."""
    with reading(workspace.engine) as session:
        animal = find_animal(session, find_study(session, study_name), typed_animal)
        weight = latest_live_weight(session, animal.id)
        if weight is None:
            raise NotFoundError(f"animal {typed_animal} has no weight to void")
        description = (
            f"weight {weight.weight_g:g} g of {typed_animal}, measured {local_minute(weight.measured_at)}"
        )
        return VoidTarget("weight", stored_id(weight), description)


def latest_dose(workspace: Workspace, study_name: str, typed_animal: str) -> VoidTarget:
    """The animal's (code or lab ID) latest dose that counts."""
    with reading(workspace.engine) as session:
        animal = find_animal(session, find_study(session, study_name), typed_animal)
        dose = session.exec(
            select(DoseEvent)
            .where(DoseEvent.animal_id == animal.id, not_voided("dose", DoseEvent.id))
            .order_by(col(DoseEvent.dosed_at).desc(), col(DoseEvent.id).desc())
        ).first()
        if dose is None:
            raise NotFoundError(f"animal {typed_animal} has no dose to void")
        description = (
            f"dose of {dose.volume_ml:g} mL to {typed_animal} at {dose.weight_g:g} g, "
            f"given {local_minute(dose.dosed_at)} by {dose.operator}"
        )
        return VoidTarget("dose", stored_id(dose), description)


def latest_score(workspace: Workspace, study_name: str, session_id: int) -> VoidTarget:
    """The FST session's latest score that counts."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        score = session.exec(
            select(ImmobilityScore)
            .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
            .where(FstSession.study_id == study.id, FstSession.id == session_id, live_scores())
            .order_by(col(ImmobilityScore.scored_at).desc(), col(ImmobilityScore.id).desc())
        ).first()
        if score is None:
            raise NotFoundError(f"FST session {session_id} has no score to void")
        seconds = "n/a" if score.immobility_s is None else f"{score.immobility_s:.1f} s"
        description = (
            f"{score.method} score of FST session {session_id}: immobile {seconds}, "
            f"scored {local_minute(score.scored_at)} by {score.scorer}"
        )
        return VoidTarget("score", stored_id(score), description)


def fst_session(workspace: Workspace, study_name: str, session_id: int) -> VoidTarget:
    """One FST session of the study that counts, with every score it holds."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        fst = session.exec(
            select(FstSession).where(
                FstSession.study_id == study.id, FstSession.id == session_id, live_sessions()
            )
        ).first()
        if fst is None:
            raise NotFoundError(f"study {study.name!r} has no FST session {session_id} to void")
        description = (
            f"FST session {session_id} ({fst.roi_label} in {Path(fst.video_path).name}), "
            f"tested {local_minute(fst.tested_at)}, with its scores"
        )
        return VoidTarget("session", session_id, description)
