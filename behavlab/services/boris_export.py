"""The machine's immobility bouts of a study as a BORIS project, for raters to review: codes only, no arm.

One observation per scored FST session (its latest live machine scoring), named ``<code>-fst<n>`` (the
animal's sessions numbered in test order) and coded for the subject ``<code>``; its media is the code-named
link to the video that the scoring wrote (``<scoring folder>/videos/<codes>-<digits>.<ext>``, an absolute
path, never the original file name), and its events are the start and stop of each bout in video time
(:mod:`tracking.evaluation.boris`). Bouts are recomputed from the scoring's files
(:mod:`behavlab.services.machine_scorings`: in ``scores_dir``, else in the study's scoring folder or the one
its scoring recorded writing to). Nothing is written when no session can be exported. The file never
carries an arm, before unmasking or after: BORIS is the raters' tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.errors import NotFoundError
from behavlab.models import Allocation, FstSession
from behavlab.services.boris_import import DEFAULT_BORIS_BEHAVIOR, session_observation
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import find_study
from behavlab.services.machine_scorings import (
    RescoredAnimal,
    SessionVideo,
    latest_machine_scores,
    looked_in,
    rescored_sessions,
    scoring_folders,
    session_numbers,
)
from behavlab.services.voiding import live_sessions
from behavlab.services.workspace import Workspace, safe_folder_name

if TYPE_CHECKING:
    from tracking.evaluation.boris import BorisObservation


@dataclass(frozen=True)
class BorisExport:
    """The project written, its observations (``<code>-fst<n>``), and the sessions left out (name, reason)."""

    path: Path
    observations: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _ScoredSession:
    """A session with a live machine scoring: its observation name, ID and video, and the scoring's method."""

    name: str
    session_id: int
    video: SessionVideo
    method: str


def export_boris_project(
    workspace: Workspace, study_name: str, out_dir: Path, scores_dir: Path | None = None
) -> BorisExport:
    """Write ``<study>.boris`` in ``out_dir``: each machine-scored session's bouts (module docstring)."""
    from tracking.evaluation.boris import boris_project, write_boris_project

    observations: list[BorisObservation] = []
    missing: list[tuple[str, str]] = []
    for (folders, method), sessions in sorted(_scored_sessions(workspace, study_name, scores_dir).items()):
        videos = {session.session_id: session.video for session in sessions}
        found = rescored_sessions(folders, method, videos)
        for session in sessions:
            if session.session_id in found:
                observations.append(_observation(session, found[session.session_id]))
            else:
                missing.append((session.name, f"no {method} scoring files for it in {looked_in(folders)}"))
    if not observations:
        raise NotFoundError(_nothing_to_export(study_name, missing))
    observations.sort(key=lambda observation: observation.key)
    project = boris_project(
        observations,
        behavior=DEFAULT_BORIS_BEHAVIOR,
        name=study_name,
        description="behavlab's immobility bouts, by blind code",
    )
    with tracking_errors():
        path = write_boris_project(out_dir / f"{safe_folder_name(study_name)}.boris", project)
    return BorisExport(path, tuple(o.key for o in observations), tuple(sorted(missing)))


def _nothing_to_export(study_name: str, missing: list[tuple[str, str]]) -> str:
    """Why no BORIS project is written: no session machine-scored, or none with its scoring's files."""
    if not missing:
        return (
            f"study {study_name!r} has no machine-scored FST sessions to export; "
            "score them first (`behavlab score --study NAME`)"
        )
    reasons = "\n".join(f"{name}: {reason}" for name, reason in sorted(missing))
    return f"study {study_name!r} has no scored FST session whose scoring files were found:\n{reasons}"


def _scored_sessions(
    workspace: Workspace, study_name: str, scores_dir: Path | None
) -> dict[tuple[tuple[Path, ...], str], list[_ScoredSession]]:
    """The sessions with a live machine scoring, by the folders and method of their latest one."""
    by_folders: dict[tuple[tuple[Path, ...], str], list[_ScoredSession]] = {}
    folders_of: dict[tuple[str, str], tuple[Path, ...]] = {}
    with reading(workspace.engine) as db:
        study = find_study(db, study_name)
        rows = db.exec(
            select(FstSession.id, Allocation.blind_code, FstSession.video_path)
            .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
            .where(FstSession.study_id == study.id, Allocation.study_id == study.id, live_sessions())
            .order_by(col(FstSession.tested_at), col(FstSession.id))
        ).all()
        scores = latest_machine_scores(db, study)
        numbers = session_numbers((session_id or 0, code) for session_id, code, _ in rows)
        for session_id, code, video in rows:
            score = scores.get(session_id or 0)
            if score is None:
                continue
            run = (score.method, score.parameters_sha256)
            if run not in folders_of:
                folders_of[run] = scoring_folders(db, workspace, study, score, scores_dir)
            folders = folders_of[run]
            name = session_observation(code, numbers[session_id or 0])
            scored = SessionVideo(code, Path(video), score.start_source, score.test_start_s)
            session = _ScoredSession(name, session_id or 0, scored, score.method)
            by_folders.setdefault((folders, score.method), []).append(session)
    return by_folders


def _observation(session: _ScoredSession, rescored: RescoredAnimal) -> BorisObservation:
    """The session's observation: the code-named video link and the scoring's bouts in video time."""
    from tracking.evaluation.boris import BorisObservation

    frames = rescored.result.frames
    return BorisObservation(
        key=session.name,
        subject=session.video.code,
        media=str(rescored.media),
        bouts=np.column_stack([frames.bouts.start_s, frames.bouts.end_s]),
        fps=float(rescored.video.signal.fps),
        length_s=float(frames.time_s[-1] + frames.duration_s[-1]),
        description=f"behavlab {rescored.video.method}, test start {rescored.result.start.start_s:g} s "
        "(video time)",
    )


__all__ = ["BorisExport", "export_boris_project"]
