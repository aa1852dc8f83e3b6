"""A study's forced-swim sessions as NWB files for DANDI: one per animal and session (`behavlab export nwb`).

Each file (:mod:`writing.nwb`) holds the animal under its blind code, the session's start (the video's
first frame: the FST's recorded test time, with its zone, less the test start in the video), its video by a
path relative to the file (nothing copied), the doses before it, and its latest live machine scoring (bouts,
per-frame signal, parameters; :mod:`behavlab.services.machine_scorings`) and pose tracks where they exist.
Files are laid out as DANDI expects: ``sub-<code>/sub-<code>_ses-fst<n>_behavior+image.nwb``, beside a
code-named link to the video (``..._video.<ext>``, the path the file names), so no file name carries a lab ID.
Every session is read and checked before any file is written: a refusal leaves no partial folder.

Before unmasking, only a blind export is allowed: no arm, substance or mg/kg anywhere, ``desc-blind`` in
every file name and "blind" in every session description. After unmasking, each subject's description and
the file's pharmacology name the arm (its substance and mg/kg); file names never carry it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from behavlab import __version__
from behavlab.db.session import reading
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import (
    Allocation,
    Animal,
    Arm,
    DoseEvent,
    FstSession,
    ImmobilityScore,
    RevealedAllocation,
)
from behavlab.models.study import Study
from behavlab.services.fst_starts import stored_start
from behavlab.services.guards import study_is_unmasked
from behavlab.services.library_errors import refused_writes, tracking_errors
from behavlab.services.lookup import find_study
from behavlab.services.machine_scorings import (
    SessionVideo,
    latest_machine_scores,
    looked_in,
    rescored_sessions,
    scoring_folders,
    session_numbers,
)
from behavlab.services.nwb_scorings import StoredScore, nwb_scoring, pose_beside, stored_roi
from behavlab.services.voiding import latest_live_weight, live_sessions, not_voided
from behavlab.services.workspace import Workspace
from writing.nwb.records import NwbDose, NwbScoring, NwbSession, NwbSubject, NwbVideo

#: NWB names species by their Latin binomial.
SPECIES = {"mouse": "Mus musculus", "mice": "Mus musculus", "rat": "Rattus norvegicus"}

#: What a blind export says of itself, in every session description.
BLIND_NOTE = "BLIND export: the treatment is withheld until the study is unmasked"

#: The results of a stored scoring that each file carries, by column of its table.
SUMMARY_FIELDS = (
    "immobility_s",
    "latency_s",
    "n_bouts",
    "window_start_s",
    "window_end_s",
    "test_start_s",
    "start_source",
    "threshold",
)


@dataclass(frozen=True)
class NwbExport:
    """The files written (one per animal and session), and whether they are blind."""

    files: tuple[Path, ...]
    blind: bool


@dataclass(frozen=True)
class _SessionRecord:
    """One session's values read from the database, before its files are looked at."""

    session: NwbSession
    video: Path
    roi: dict[str, object] | None
    score: StoredScore | None
    file_name: str
    session_id: int
    folders: tuple[Path, ...]


def export_nwb(
    workspace: Workspace,
    study_name: str,
    out_dir: Path,
    *,
    blind: bool = False,
    scores_dir: Path | None = None,
) -> NwbExport:
    """Write one NWB file per live FST session of the study into ``out_dir`` (see the module docstring).

    Refused before unmasking unless ``blind``. ``scores_dir`` is the folder a scoring was written to; by
    default its files are looked for in the study's scoring folder and the folder the scoring recorded.
    """
    _require_nwb_libraries()
    with reading(workspace.engine) as db:
        study = find_study(db, study_name)
        if not blind and not study_is_unmasked(db, study):
            raise ConflictError(
                f"study {study.name!r} is not unmasked: export it with --blind (blind codes only, no arm)"
            )
        records = _session_records(db, workspace, study, blind=blind, scores_dir=scores_dir)
    if not records:
        raise NotFoundError(f"study {study_name!r} has no FST sessions to export")
    from writing.nwb.file import write_nwb

    sessions = [_with_files(record) for record in records]
    files = []
    for record, session in zip(records, sessions, strict=True):
        path = out_dir / record.file_name
        with refused_writes():
            path.parent.mkdir(parents=True, exist_ok=True)
            _link_video(record.video, path.parent / session.video.relative_path, session.subject.subject_id)
            files.append(write_nwb(session, path))
    return NwbExport(tuple(files), blind)


def _link_video(video: Path, link: Path, code: str) -> None:
    """Link ``video`` as ``link`` (its code-named name beside the NWB file), replacing an earlier link."""
    try:
        link.unlink(missing_ok=True)
        link.symlink_to(video.resolve())
    except OSError as error:
        raise InvalidInputError(f"cannot link the video of {code} as {link}: {error.strerror}") from error


def _require_nwb_libraries() -> None:
    from writing.nwb.file import NwbUnavailableError, require_nwb_libraries

    try:
        require_nwb_libraries()
    except NwbUnavailableError as error:
        raise InvalidInputError(f"{error}: pip install behavlab[nwb]") from error


def _session_records(
    db: Session, workspace: Workspace, study: Study, *, blind: bool, scores_dir: Path | None
) -> list[_SessionRecord]:
    rows = db.exec(
        select(FstSession, Allocation.blind_code, Animal)
        .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
        .join(Animal, col(Animal.id) == FstSession.animal_id)
        .where(FstSession.study_id == study.id, live_sessions())
        .order_by(col(FstSession.tested_at), col(FstSession.id))
    ).all()
    arms = {} if blind else _revealed_arms(db, study)
    numbers = session_numbers((fst.id or 0, code) for fst, code, _ in rows)
    scores = latest_machine_scores(db, study)
    folders_of: dict[tuple[str, str], tuple[Path, ...]] = {}
    records = []
    for fst, code, animal in rows:
        arm = arms.get(code)
        session_id = f"fst{numbers[fst.id or 0]}"
        stem = f"sub-{dandi_label(code)}_ses-{session_id}{'_desc-blind' if blind else ''}"
        score = scores.get(fst.id or 0)
        test_start_s = _test_start_s(fst, score)
        session = NwbSession(
            identifier=str(uuid.uuid4()),
            session_id=session_id,
            description=f"Forced swim test of {code} (study {study.name}), starting {test_start_s:g} s into "
            "its video; every time counts from the video's first frame"
            + (f"; {BLIND_NOTE}." if blind else "."),
            start_time=fst.tested_at - timedelta(seconds=test_start_s),
            test_start_s=test_start_s,
            subject=_subject(db, study, fst, code, animal, arm),
            video=NwbVideo(f"{stem}_video{Path(fst.video_path).suffix.lower()}", fst.video_sha256, 0.0, 0),
            blind=blind,
            software=f"behavlab {__version__}",
            experimenter=fst.recorded_by or None,
            doses=_doses(db, study, fst, arm),
            notes=_conditions(fst),
        )
        stored = None if score is None else _stored_score(score, code)
        folders: tuple[Path, ...] = ()
        if score is not None:
            run = (score.method, score.parameters_sha256)
            if run not in folders_of:
                folders_of[run] = scoring_folders(db, workspace, study, score, scores_dir)
            folders = folders_of[run]
        file_name = f"sub-{dandi_label(code)}/{stem}_behavior+image.nwb"
        video = Path(fst.video_path)
        roi = stored_roi(fst.roi)
        records.append(_SessionRecord(session, video, roi, stored, file_name, fst.id or 0, folders))
    return records


def _test_start_s(fst: FstSession, score: ImmobilityScore | None) -> float:
    """Where the test starts in the video: the scoring's start, else the session's stored one, else 0."""
    if score is not None and score.test_start_s is not None:
        return score.test_start_s
    stored = stored_start(fst)
    return 0.0 if stored is None else stored.start_s


def dandi_label(code: str) -> str:
    """A blind code as a DANDI subject label: letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", code).strip("-") or "subject"


def _subject(
    db: Session, study: Study, fst: FstSession, code: str, animal: Animal, arm: Arm | None
) -> NwbSubject:
    weight = latest_live_weight(db, animal.id, fst.tested_at)
    treatment = (
        None if arm is None else f"{arm.name}: {arm.substance} {arm.dose_mg_per_kg:g} mg/kg {study.route}"
    )
    return NwbSubject(
        subject_id=code,
        species=SPECIES.get(study.species.strip().lower(), study.species),
        strain=animal.strain,
        sex=animal.sex.upper(),
        date_of_birth=animal.date_of_birth,
        weight_g=None if weight is None else weight.weight_g,
        treatment=treatment,
    )


def _doses(db: Session, study: Study, fst: FstSession, arm: Arm | None) -> tuple[NwbDose, ...]:
    events = db.exec(
        select(DoseEvent)
        .where(DoseEvent.animal_id == fst.animal_id, col(DoseEvent.dosed_at) <= fst.tested_at)
        .where(not_voided("dose", DoseEvent.id))
        .order_by(col(DoseEvent.dosed_at))
    ).all()
    return tuple(
        NwbDose(
            given_at=event.dosed_at,
            volume_ml=event.volume_ml,
            given_ml_per_kg=event.given_ml_per_kg,
            planned_ml_per_kg=event.volume_ml_per_kg,
            route=study.route,
            substance=None if arm is None else arm.substance,
            dose_mg_per_kg=None if arm is None else arm.dose_mg_per_kg,
        )
        for event in events
    )


def _revealed_arms(db: Session, study: Study) -> dict[str, Arm]:
    rows = db.exec(
        select(Allocation.blind_code, Arm)
        .join(RevealedAllocation, col(RevealedAllocation.animal_id) == Allocation.animal_id)
        .join(Arm, col(Arm.id) == RevealedAllocation.arm_id)
        .where(Allocation.study_id == study.id)
    ).all()
    return dict(rows)


def _stored_score(score: ImmobilityScore, code: str) -> StoredScore:
    return StoredScore(
        code=code,
        method=score.method,
        parameters_json=score.parameters,
        parameters_sha256=score.parameters_sha256,
        software_version=score.software_version,
        scored_at=score.scored_at,
        summary={name: getattr(score, name) for name in SUMMARY_FIELDS},
    )


def _conditions(fst: FstSession) -> dict[str, float | str]:
    values = {
        "tank": fst.tank,
        "water_temp_c": fst.water_temp_c,
        "water_depth_cm": fst.water_depth_cm,
        "hours_post_dose": fst.hours_post_dose,
    }
    return {name: value for name, value in values.items() if value is not None}


def _with_files(record: _SessionRecord) -> NwbSession:
    """The session completed from its files: the video's rate and length, the scoring, the pose tracks."""
    from tracking.video.probe import probe_video

    code = record.session.subject.subject_id
    if not record.video.is_file():
        raise NotFoundError(f"the video of {code} is not at {record.video}; put it back to export")
    with tracking_errors(f"cannot read the video of {code}"):
        header = probe_video(record.video)
    if header.fps is None or header.duration_s is None:
        raise InvalidInputError(f"the video of {code} announces no frame rate or length: {record.video}")
    frames = header.frame_count or round(header.duration_s * header.fps)
    video = replace(record.session.video, rate=header.fps, n_frames=frames)
    scoring: NwbScoring | None = None
    individual = None
    if record.score is not None:
        source, start_s = record.score.summary["start_source"], record.score.summary["test_start_s"]
        session = SessionVideo(
            code,
            record.video,
            None if source is None else str(source),
            None if start_s is None else float(start_s),
        )
        wanted = {record.session_id: session}
        rescored = rescored_sessions(record.folders, record.score.method, wanted).get(record.session_id)
        if rescored is None:
            digest = record.score.parameters_sha256[:12]
            raise NotFoundError(
                f"the {record.score.method} scoring of {code} (parameters {digest}) has no files in "
                f"{looked_in(record.folders)}"
            )
        found = nwb_scoring(rescored, record.score)
        scoring, individual = found.scoring, found.individual
    pose = pose_beside(record.video, code, record.roi, individual, header.fps)
    return replace(record.session, video=video, scoring=scoring, pose=pose)


__all__ = ["BLIND_NOTE", "NwbExport", "dandi_label", "export_nwb"]
