"""A study's latest live machine scorings, and each animal's scoring recomputed from the files it wrote.

The exports (:mod:`behavlab.services.nwb_export`, :mod:`behavlab.services.boris_export`) carry each FST
session's latest live machine scoring (manual scores left out). Its bouts and per-frame signal are not in the
database: they are recomputed from the per-video documents and signal caches the scoring wrote (in its
folder, :func:`behavlab.services.study_scoring.scoring_run_folder`, or wherever ``behavlab score`` wrote it),
so they are exactly the stored scoring's. Sessions are numbered per animal in test order (``fst1``,
``fst2``...), as both exports name them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from behavlab.models import FstSession, ImmobilityScore
from behavlab.models.study import Study
from behavlab.services.fst import MANUAL_METHOD
from behavlab.services.library_errors import tracking_errors
from behavlab.services.voiding import live_scores, live_sessions

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


def rescored_animals(folder: Path, method: str, codes: Set[str]) -> dict[str, RescoredAnimal]:
    """The ``method`` scoring of each of ``codes`` found in ``folder``, recomputed from its files.

    A code with no document in the folder is left out; unreadable files are an InvalidInputError.
    """
    from tracking.batch.documents import load_documents, rescore_document

    found: dict[str, RescoredAnimal] = {}
    with tracking_errors(f"cannot read the scoring in {folder}"):
        for _, document in load_documents(folder):
            wanted = codes & set(document.get("starts", {})) - set(found)
            if document.get("method") != method or not wanted:
                continue
            video = rescore_document(folder, document)
            media = (folder / "videos" / document["video"]).absolute()
            for result in video.animals:
                if result.animal in wanted:
                    found[result.animal] = RescoredAnimal(document, video, result, media)
    return found


__all__ = ["RescoredAnimal", "latest_machine_scores", "rescored_animals", "session_numbers"]
