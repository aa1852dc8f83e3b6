"""Forced-swim sessions tied to coded animals: the video (hash, ROI), conditions, checks, manual scores."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError
from behavlab.models import Allocation, Animal, DoseEvent, FstSession, ImmobilityScore, Study
from behavlab.services.audit import record_event
from behavlab.services.fst_rois import video_roi
from behavlab.services.fst_starts import (
    SessionStart,
    StartToStore,
    check_entered_start,
    shown_start,
    start_to_store,
)
from behavlab.services.guards import refuse_if_unmasked, refuse_unless_randomized
from behavlab.services.library_errors import refused_files
from behavlab.services.lookup import (
    animal_id_of,
    codes_by_lab_id,
    find_animal_by_code,
    find_coded_animal,
    find_study,
    stored_id,
    study_id_of,
)
from behavlab.services.text import checked_text
from behavlab.services.voiding import live_scores, live_sessions, not_voided
from behavlab.services.workspace import Workspace
from cohorts.fst_sheet import WATER_TEMP_OK_C, FstSheetRow, read_fst_sheet
from tracking.rules.presets import FST_DURATION_S
from tracking.video.hashing import content_hash


@dataclass(frozen=True)
class FstSessionView:
    """A recorded session as the bench sees it (code, video, ROI, conditions, warnings, scorings so far).

    ``start`` is its test start: stored (entered or bench), else the latest scoring's; None when unknown.
    """

    id: int
    code: str
    video: str
    roi_label: str
    tank: str | None
    tested_at: datetime
    hours_post_dose: float | None
    water_temp_c: float | None
    warnings: list[str]
    scored_methods: list[str]
    start: SessionStart | None = None


def add_fst_session(
    workspace: Workspace,
    study_name: str,
    typed_animal: str,
    video: Path,
    roi_label: str | None = None,
    rois_file: Path | None = None,
    tank: str | None = None,
    water_temp_c: float | None = None,
    water_depth_cm: float | None = None,
    tested_at: datetime | None = None,
    start_s: float | None = None,
) -> FstSessionView:
    """Record one animal's swim test (by lab ID or blind code): hash the video, pick its ROI, audit it.

    ``start_s`` is the test start entered (s of video time, before the video's end); None: detected.
    """
    with reading(workspace.engine) as session:
        code = find_coded_animal(session, find_study(session, study_name), typed_animal)[1].blind_code
    row = FstSheetRow(
        code=code,
        video=video.resolve(),
        tested_at=tested_at or datetime.now().astimezone(),
        roi=roi_label,
        tank=None if tank is None else checked_text(tank, "tank"),
        water_temp_c=water_temp_c,
        water_depth_cm=water_depth_cm,
        row=0,
        start_s=start_s,
    )
    (view,) = _record_sessions(workspace, study_name, [row], rois_file, source=video.name)
    return view


def import_fst_sheet(
    workspace: Workspace, study_name: str, sheet: Path, rois_file: Path | None = None
) -> Sequence[FstSessionView]:
    """Record a day's sessions from a sheet, all or none; every faulty row is listed first."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        lab_ids = codes_by_lab_id(session, study)
    with refused_files(f"FST sheet {sheet.name}"):
        rows = read_fst_sheet(sheet, known_codes=set(lab_ids.values()), codes_by_lab_id=lab_ids)
    return _record_sessions(workspace, study_name, rows, rois_file, source=sheet.name)


def list_fst_sessions(workspace: Workspace, study_name: str) -> Sequence[FstSessionView]:
    """Every FST session of the study in test order, with the methods that scored it."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        rows = session.exec(
            select(FstSession, Allocation.blind_code)
            .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
            .where(FstSession.study_id == study.id, live_sessions())
            .order_by(col(FstSession.tested_at), col(FstSession.id))
        ).all()
        scores: dict[int, list[ImmobilityScore]] = {}
        for score in session.exec(
            select(ImmobilityScore).where(
                col(ImmobilityScore.session_id).in_([s.id for s, _ in rows]), live_scores()
            )
        ):
            scores.setdefault(score.session_id, []).append(score)
        return [_view(fst, code, scores.get(fst.id or 0, [])) for fst, code in rows]


def parameters_digest(parameters: dict[str, object]) -> str:
    """The SHA-256 of a parameter set, so the same scoring is recognized and never stored twice."""
    return hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()


def _record_sessions(
    workspace: Workspace, study_name: str, rows: Sequence[FstSheetRow], rois_file: Path | None, source: str
) -> list[FstSessionView]:
    for row in rows:
        check_entered_start(row.video, row.start_s)
    prepared = [(row, video_roi(row, rois_file, source), content_hash(row.video, full=True)) for row in rows]
    views = []
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "record FST sessions")
        refuse_if_unmasked(session, study, "record FST sessions")
        for row, (label, roi), digest in prepared:
            animal, allocation = find_animal_by_code(session, study, row.code)
            start = start_to_store(session, animal_id_of(animal), row.video, row.start_s)
            _refuse_recorded(session, study, row.video, (label, digest), start.start)
            hours, warnings = _checks(session, study, animal, row)
            warnings += start.warnings
            fst = FstSession(
                study_id=study_id_of(study),
                animal_id=animal_id_of(animal),
                video_path=str(row.video),
                video_sha256=digest,
                roi_label=label,
                roi=None if roi is None else json.dumps(roi.to_dict(), sort_keys=True),
                tank=row.tank,
                tested_at=row.tested_at,
                hours_post_dose=hours,
                water_temp_c=row.water_temp_c,
                water_depth_cm=row.water_depth_cm,
                start_s=None if start.start is None else start.start.start_s,
                start_source=None if start.start is None else start.start.source,
                start_basis=start.basis,
                warnings=json.dumps(warnings),
                recorded_by=workspace.actor,
            )
            session.add(fst)
            session.flush()
            record_event(
                session,
                actor=workspace.actor,
                action=AuditAction.FST_ADD,
                entity="fst_session",
                entity_id=fst.id,
                study_id=study.id,
                payload={
                    "code": allocation.blind_code,
                    "video": row.video.name,
                    "video_sha256": digest,
                    "roi": label,
                    "source": source,
                    "warnings": warnings,
                    **_start_payload(start),
                },
            )
            views.append(_view(fst, allocation.blind_code, []))
    return views


def _start_payload(start: StartToStore) -> dict[str, object]:
    """A stored start as the session's audit event records it (nothing when it is left to detection)."""
    if start.start is None:
        return {}
    basis = {} if start.basis is None else {"start_basis": start.basis}
    return {"start_s": start.start.start_s, "start_source": start.start.source, **basis}


def _refuse_recorded(
    session: Session, study: Study, video: Path, roi: tuple[str, str], start: SessionStart | None
) -> None:
    """Refuse a video's ROI the study already has a live session of, unless both are one tank's turns.

    ``roi`` is the ROI's label and the video's hash. A tank filmed for one animal after another holds a
    session per animal, each with its own stored start, a whole test (:data:`FST_DURATION_S`) or more apart;
    a ConflictError names the session in the way otherwise.
    """
    label, digest = roi
    earlier = session.exec(
        select(FstSession).where(
            FstSession.study_id == study.id,
            FstSession.video_sha256 == digest,
            FstSession.roi_label == label,
            live_sessions(),
        )
    ).all()
    for other in earlier:
        if start is None or other.start_s is None or abs(other.start_s - start.start_s) < FST_DURATION_S:
            raise ConflictError(
                f"{video.name} ROI {label} is already recorded as FST session {other.id}; a tank filmed "
                f"again for another animal needs each animal's start entered or marked, {FST_DURATION_S:g} s "
                "or more apart; nothing from this request was recorded"
            )


def _checks(
    session: Session, study: Study, animal: Animal, row: FstSheetRow
) -> tuple[float | None, list[str]]:
    """Hours since the animal's last dose, and the warnings stored with the session."""
    warnings: list[str] = []
    low, high = WATER_TEMP_OK_C
    if row.water_temp_c is not None and not low <= row.water_temp_c <= high:
        warnings.append(f"water {row.water_temp_c:g} C is outside {low:g}-{high:g} C")
    last_dose = session.exec(
        select(DoseEvent.dosed_at)
        .where(
            DoseEvent.animal_id == animal.id,
            col(DoseEvent.dosed_at) <= row.tested_at,
            not_voided("dose", DoseEvent.id),
        )
        .order_by(col(DoseEvent.dosed_at).desc())
    ).first()
    hours = None if last_dose is None else (row.tested_at - last_dose).total_seconds() / 3600
    planned = study.test_hours_post_dose
    if hours is None:
        warnings.append("no dose recorded before this test")
    elif abs(hours - planned) > max(1.0, 0.1 * planned):
        warnings.append(f"tested {hours:.1f} h after the dose; the study plans {planned:g} h")
    earlier = session.exec(
        select(FstSession.id).where(FstSession.animal_id == animal.id, live_sessions())
    ).first()
    if earlier is not None:
        warnings.append(f"this animal was already tested (session {earlier})")
    return hours, warnings


def _view(fst: FstSession, code: str, scores: Sequence[ImmobilityScore]) -> FstSessionView:
    return FstSessionView(
        id=stored_id(fst),
        code=code,
        video=Path(fst.video_path).name,
        roi_label=fst.roi_label,
        tank=fst.tank,
        tested_at=fst.tested_at,
        hours_post_dose=fst.hours_post_dose,
        water_temp_c=fst.water_temp_c,
        warnings=json.loads(fst.warnings),
        scored_methods=sorted({score.method for score in scores}),
        start=shown_start(fst, scores),
    )
