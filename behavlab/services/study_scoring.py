"""Scoring a study's FST sessions from their videos into the database, named by blind code only.

Every session not yet scored with the method and parameters asked is scored through the batch runner of
:mod:`tracking.batch.run`; each result becomes an ImmobilityScore row (method, parameters, software version,
per-minute bins, the test start it counted from). Each animal's test start is the session's own: the one it
stores (entered, or marked at the bench), otherwise detected from its ROI's motion or (pose method) its
tracks' likelihoods (:mod:`tracking.pose.start`); a session with no detected start fails alone, by code.
Scoring again with the same parameters adds nothing; with other parameters it adds a scoring and keeps the
earlier one. The batch works on links named by code, with ROIs relabelled by code, so every file it writes
is named by code, whatever the videos were called. The pose method scores the
DeepLabCut file kept next to each session's video (``<video stem>DLC_<scorer>.h5`` or ``.csv``, paired by
name), linked beside the video's link under the code name.

The files go with the database they belong to: ``<database stem>.scoring/<study>/`` beside a SQLite file
(see :meth:`Workspace.files_folder`). Earlier releases wrote ``<user data>/scoring/<study>/`` whatever the
database; a scoring names that folder when it exists, so its files are not lost from sight.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlmodel import col, select

from behavlab import __version__
from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.models import Allocation, FstSession, ImmobilityScore
from behavlab.services.audit import record_study_event
from behavlab.services.fst import parameters_digest
from behavlab.services.fst_starts import stored_start
from behavlab.services.guards import refuse_if_unmasked
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import find_study
from behavlab.services.scoring_links import ScoringLinks, SessionToScore, link_videos
from behavlab.services.video_scoring import presets_directory, runner_for
from behavlab.services.voiding import live_scores, live_sessions
from behavlab.services.workspace import Workspace, safe_folder_name

if TYPE_CHECKING:
    from tracking.batch.run import BatchProgress, BatchReport


#: The key of a study scoring's audit event naming the folder its files were written to.
SCORING_FOLDER_KEY = "out_dir"


@dataclass(frozen=True)
class StudyScoring:
    """What a study scoring did: sessions scored now, already scored, and those that failed (by code).

    ``out_dir`` holds this scoring's files; ``earlier_folder`` is where earlier releases kept scorings of a
    study of this name (whichever database), when that folder holds any.
    """

    scored: int
    already_scored: int
    failures: Sequence[tuple[str, str]]
    out_dir: Path
    parameters_sha256: str
    earlier_folder: Path | None

    @property
    def earlier_note(self) -> str | None:
        """Where scorings of a study of this name from earlier releases are, said for the user; or None."""
        if self.earlier_folder is None:
            return None
        return (
            f"scorings made before they were kept beside the database are in {self.earlier_folder} "
            "(a study of the same name in another database may have written there too)"
        )


def score_study(
    workspace: Workspace,
    study_name: str,
    *,
    method: str = "motion",
    preset: str = "fst",
    overrides: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    out_dir: Path | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> StudyScoring:
    """Score each FST session not yet scored with these parameters; store one score row per session.

    ``method`` is ``motion`` or ``pose`` (each video's DeepLabCut file found next to it by name; a session
    without one fails alone). ``overrides`` hold scoring parameters and the method's signal options.
    """
    from tracking.batch.jobs import BatchSettings, resolve_request
    from tracking.batch.run import run_batch
    from tracking.batch.starts import StartRequest
    from tracking.rules.methods import METHODS
    from tracking.video.rois import RoiFile

    with tracking_errors():
        params, signal_options = resolve_request(method, preset, overrides, presets_directory())
    parameters: dict[str, object] = {
        "method": method,
        "scoring": params.to_dict(),
        "signal_options": dict(signal_options),
    }
    digest = parameters_digest(parameters)
    pending, already = _sessions_to_score(workspace, study_name, method, digest)
    folder = out_dir or scoring_run_folder(workspace, study_name, method, digest)
    links = link_videos(pending, folder / "videos", pose_files=METHODS[params.method].pose_files)
    settings = BatchSettings(
        out_dir=folder,
        params=params,
        signal_options=signal_options,
        rois=RoiFile(videos=links.rois),
        some_tanks=True,
        software_version=__version__,
        starts=StartRequest(manifest=links.starts, detect=True),
    )
    with tracking_errors():
        report = run_batch(
            list(links.sessions),
            settings,
            method=method,
            runner=runner_for(jobs, dask),
            on_progress=on_progress,
        )
    stored = _ScoreRequest(study_name, method, preset, parameters, digest, folder.absolute())
    scored, failures = _store_scores(workspace, stored, report, links, already)
    return StudyScoring(scored, already, sorted(failures), folder, digest, earlier_scoring_folder(study_name))


def study_scoring_folder(workspace: Workspace, study_name: str) -> Path:
    """Where the study's scoring files go by default: one folder per method and parameter set inside."""
    return workspace.files_folder("scoring") / safe_folder_name(study_name)


def scoring_run_folder(workspace: Workspace, study_name: str, method: str, digest: str) -> Path:
    """The folder of one scoring of the study: ``<method>-<first 12 digits of its parameters' digest>``."""
    return study_scoring_folder(workspace, study_name) / f"{method}-{digest[:12]}"


#: A folder of one scoring: its method and the start of its parameters' digest.
_SCORING_RUN = re.compile(r"[a-z]+-[0-9a-f]{12}")


def earlier_scoring_folder(study_name: str) -> Path | None:
    """The folder where earlier releases wrote scorings of a study of this name, if it holds any.

    It does not say which database it scored: a study of the same name in another database wrote there too.
    """
    root = platformdirs.user_data_path("behavlab") / "scoring"
    folder = root / study_name
    inside = folder.resolve().is_relative_to(root.resolve()) and folder.resolve() != root.resolve()
    if not inside or not folder.is_dir():
        return None
    runs = [child for child in folder.iterdir() if child.is_dir() and _SCORING_RUN.fullmatch(child.name)]
    return folder if runs else None


@dataclass(frozen=True)
class _ScoreRequest:
    """What a study scoring asked for, as its score rows and audit event record it."""

    study_name: str
    method: str
    preset: str
    parameters: Mapping[str, object]
    digest: str
    folder: Path


def _store_scores(
    workspace: Workspace,
    request: _ScoreRequest,
    report: BatchReport,
    links: ScoringLinks,
    already: int,
) -> tuple[int, list[tuple[str, str]]]:
    """Store one score row per scored session and the audit event; the count stored and every failure."""
    failures = list(links.failures)
    stored = 0
    with writing(workspace.engine) as db:
        study = find_study(db, request.study_name)
        refuse_if_unmasked(db, study, "store scores")
        for outcome in report.outcomes:
            if outcome.document is None:
                reason = outcome.error or "not scored"
                failures.extend((code, reason) for code in links.sessions[outcome.video])
                continue
            failures.extend(outcome.document.get("failed_animals", {}).items())
            minutes = _per_minute(outcome.document["bins"])
            starts = outcome.document.get("starts", {})
            session_of = links.sessions[outcome.video]
            for row in outcome.document["results"]:
                session_id = session_of[row["animal"]]
                db.add(_score_row(session_id, row, minutes, request, starts.get(row["animal"])))
                stored += 1
        record_study_event(
            db,
            workspace,
            study,
            AuditAction.FST_SCORE,
            {
                "method": request.method,
                "preset": request.preset,
                "parameters_sha256": request.digest,
                SCORING_FOLDER_KEY: str(request.folder),
                "scored": stored,
                "already_scored": already,
                "failed": sorted(code for code, _ in failures),
            },
        )
    return stored, failures


def _sessions_to_score(
    workspace: Workspace, study_name: str, method: str, digest: str
) -> tuple[list[SessionToScore], int]:
    with reading(workspace.engine) as db:
        study = find_study(db, study_name)
        refuse_if_unmasked(db, study, "score sessions")
        rows = db.exec(
            select(FstSession, Allocation.blind_code)
            .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
            .where(FstSession.study_id == study.id, live_sessions())
            .order_by(col(FstSession.id))
        ).all()
        starts_scored: dict[int, set[tuple[str | None, float | None]]] = defaultdict(set)
        for score in db.exec(
            select(ImmobilityScore).where(
                ImmobilityScore.method == method, ImmobilityScore.parameters_sha256 == digest, live_scores()
            )
        ):
            starts_scored[score.session_id].add((score.start_source, score.test_start_s))
    done = {s.id for s, _ in rows if _scored_from_its_start(s, starts_scored.get(s.id or 0, set()))}
    pending = [
        SessionToScore(
            s.id or 0,
            code,
            Path(s.video_path),
            s.video_sha256,
            json.loads(s.roi) if s.roi else None,
            stored_start(s),
        )
        for s, code in rows
        if s.id not in done
    ]
    return pending, len(rows) - len(pending)


def _scored_from_its_start(session: FstSession, starts: set[tuple[str | None, float | None]]) -> bool:
    """Whether one of the session's live scores (their source and start) counted from its stored start.

    Any start will do when the session stores none.
    """
    stored = stored_start(session)
    return bool(starts) and (stored is None or (stored.source, stored.start_s) in starts)


def _per_minute(bins: Sequence[Mapping[str, Any]]) -> dict[str, list[float | None]]:
    minutes: dict[str, list[float | None]] = defaultdict(list)
    for row in bins:
        if row.get("kind") == "minute":
            value = row.get("immobile_s")
            minutes[row["animal"]].append(None if value is None or _nan(value) else float(value))
    return minutes


def _score_row(
    session_id: int,
    row: Mapping[str, Any],
    minutes: Mapping[str, list[float | None]],
    request: _ScoreRequest,
    start: Mapping[str, Any] | None,
) -> ImmobilityScore:
    """One animal's score row; ``start`` is the test start its result recorded (``AnimalStart.to_dict``)."""
    samples = {
        key.removeprefix("samples_"): value for key, value in row.items() if key.startswith("samples_")
    }
    trustworthy = row.get("threshold_trustworthy")
    return ImmobilityScore(
        session_id=session_id,
        method=request.method,
        parameters=json.dumps(request.parameters, sort_keys=True, default=str),
        parameters_sha256=request.digest,
        software_version=__version__,
        scorer="behavlab",
        immobility_s=_number(row.get("immobility_s")),
        latency_s=_number(row.get("latency_s")),
        n_bouts=None if _number(row.get("n_bouts")) is None else int(row["n_bouts"]),
        window_start_s=float(row["window_start_s"]),
        window_end_s=float(row["window_end_s"]),
        test_start_s=None if start is None else float(start["start_s"]),
        start_source=None if start is None else str(start["source"]),
        start_confidence=None if start is None else _number(start.get("confidence")),
        threshold=_number(row.get("threshold")),
        threshold_trustworthy=None if trustworthy is None or _nan(trustworthy) else bool(trustworthy),
        per_minute=json.dumps(minutes.get(row["animal"], [])),
        time_sampling=json.dumps(samples, default=str),
        warnings=json.dumps([w for w in str(row.get("warnings") or "").split(" | ") if w]),
    )


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _number(value: Any) -> float | None:
    return None if value is None or _nan(value) else float(value)
