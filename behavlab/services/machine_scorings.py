"""A study's latest live machine scorings, and each animal's scoring recomputed from the files it wrote.

The exports (:mod:`behavlab.services.nwb_export`, :mod:`behavlab.services.boris_export`) carry each FST
session's latest live machine scoring (manual scores left out). Its bouts and per-frame signal are not in the
database: they are recomputed from the per-video documents and signal caches the scoring wrote (in its
folder, :func:`behavlab.services.study_scoring.scoring_run_folder`, or the folder ``behavlab score --study
--out`` wrote it to, which its audit event records), so they are exactly the stored scoring's. A session's
files are the document scoring its code in the code-named link to its own video, so one animal's sessions
(each its own video) are told apart. Sessions are numbered per animal in test order (``fst1``, ``fst2``...),
as both exports name them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.models import AuditEvent, FstSession, ImmobilityScore
from behavlab.models.study import Study
from behavlab.services.library_errors import tracking_errors
from behavlab.services.scoring_methods import MANUAL_METHOD
from behavlab.services.study_scoring import SCORING_FOLDER_KEY, scoring_run_folder
from behavlab.services.voiding import live_scores, live_sessions
from behavlab.services.workspace import Workspace

if TYPE_CHECKING:
    from tracking.rules.result import VideoScore
    from tracking.rules.summary import AnimalResult


@dataclass(frozen=True)
class RescoredAnimal:
    """One animal's scoring recomputed from its files: the per-video document, the video's score, its result.

    ``media`` is the code-named link to the video that the scoring wrote (never the original file name).
    """

    document: Mapping[str, Any]
    video: VideoScore
    result: AnimalResult
    media: Path


@dataclass(frozen=True)
class SessionVideo:
    """A session to find in a scoring's files: its blind code, its video as recorded, and its score's start.

    ``start_source``/``start_s`` are the test start its stored score counted from (None: any), so the files
    of a superseded scoring of the same video are not taken for it.
    """

    code: str
    video: Path
    start_source: str | None = None
    start_s: float | None = None

    def scored_from(self, start: Mapping[str, Any]) -> bool:
        """Whether a document's start for this code (``{"start_s", "source", ...}``) is the stored score's."""
        if self.start_source is None:
            return True
        return (start.get("source"), start.get("start_s")) == (self.start_source, self.start_s)


def latest_machine_scores(db: Session, study: Study) -> dict[int, ImmobilityScore]:
    """Each live FST session's latest live machine scoring, by session ID (sessions never scored left out)."""
    scores = db.exec(
        select(ImmobilityScore)
        .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
        .where(FstSession.study_id == study.id, live_sessions(), live_scores())
        .where(ImmobilityScore.method != MANUAL_METHOD)
        .order_by(col(ImmobilityScore.scored_at), col(ImmobilityScore.id))
    ).all()
    return {score.session_id: score for score in scores}


def session_numbers(sessions: Iterable[tuple[int, str]]) -> dict[int, int]:
    """Each session's number among its animal's (1, 2...), from ``(session ID, code)`` pairs in test order."""
    seen: Counter[str] = Counter()
    numbers = {}
    for session_id, code in sessions:
        seen[code] += 1
        numbers[session_id] = seen[code]
    return numbers


def scoring_folders(
    db: Session, workspace: Workspace, study: Study, score: ImmobilityScore, scores_dir: Path | None
) -> tuple[Path, ...]:
    """Where a scoring's files may be: ``scores_dir``, else its own folder and those its scorings recorded.

    Without ``scores_dir``: the study's scoring folder for the scoring's method and parameters, then every
    folder a study scoring with them recorded writing to (newest first).
    """
    if scores_dir is not None:
        return (scores_dir,)
    default = scoring_run_folder(workspace, study.name, score.method, score.parameters_sha256)
    events = db.exec(
        select(AuditEvent.payload)
        .where(AuditEvent.study_id == study.id, AuditEvent.action == AuditAction.FST_SCORE.value)
        .order_by(col(AuditEvent.id).desc())
    ).all()
    recorded = []
    for payload in map(json.loads, events):
        same = (payload.get("method"), payload.get("parameters_sha256")) == (
            score.method,
            score.parameters_sha256,
        )
        if same and payload.get(SCORING_FOLDER_KEY):
            recorded.append(Path(payload[SCORING_FOLDER_KEY]))
    return tuple(dict.fromkeys([default, *recorded]))


def rescored_sessions(
    folders: Sequence[Path], method: str, sessions: Mapping[int, SessionVideo]
) -> dict[int, RescoredAnimal]:
    """The ``method`` scoring of each of ``sessions`` (by ID) found in ``folders``, recomputed from its files.

    A session is found in the first folder holding a document that scores its code in the link to its own
    video from its stored score's test start; one with no such document is left out. Unreadable files are an
    InvalidInputError.
    """
    found: dict[int, RescoredAnimal] = {}
    for folder in folders:
        wanted = {session_id: session for session_id, session in sessions.items() if session_id not in found}
        if wanted:
            found.update(_rescored_in(folder, method, wanted))
    return found


def _rescored_in(
    folder: Path, method: str, sessions: Mapping[int, SessionVideo]
) -> dict[int, RescoredAnimal]:
    from tracking.batch.documents import load_documents, rescore_document

    found: dict[int, RescoredAnimal] = {}
    with tracking_errors(f"cannot read the scoring in {folder}"):
        for _, document in load_documents(folder):
            media = (folder / "videos" / document["video"]).absolute()
            wanted = {
                session_id: session
                for session_id, session in sessions.items()
                if session_id not in found
                and session.code in document.get("starts", {})
                and session.scored_from(document["starts"][session.code])
                and session.video.resolve() == media.resolve()
            }
            if document.get("method") != method or not wanted:
                continue
            video = rescore_document(folder, document)
            results = {result.animal: result for result in video.animals}
            for session_id, session in wanted.items():
                if session.code in results:
                    found[session_id] = RescoredAnimal(document, video, results[session.code], media)
    return found


def looked_in(folders: Sequence[Path]) -> str:
    """Where a scoring's files were looked for, and how to say where they are, for a refusal."""
    return f"{', '.join(map(str, folders))}; give --scores with the folder `behavlab score` wrote it to"


__all__ = [
    "RescoredAnimal",
    "SessionVideo",
    "latest_machine_scores",
    "looked_in",
    "rescored_sessions",
    "scoring_folders",
    "session_numbers",
]
