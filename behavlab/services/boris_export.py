"""The machine's immobility bouts of a study as a BORIS project, for raters to review: codes only, no arm.

One observation per scored FST session (its latest live machine scoring), named and subject-coded by the
animal's blind code; its media is the code-named link to the video that the scoring wrote
(``<scoring folder>/videos/<codes>.<ext>``, an absolute path, never the original file name), and its events
are the start and stop of each bout in video time (:mod:`tracking.evaluation.boris`). Bouts are recomputed
from the scoring's files (``<method>-<digest>`` in the study's scoring folder, or ``scores_dir`` for a scoring
written elsewhere). The file never carries an arm, before unmasking or after: BORIS is the raters' tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.models import Allocation, FstSession, ImmobilityScore
from behavlab.services.boris_import import DEFAULT_BORIS_BEHAVIOR
from behavlab.services.fst import MANUAL_METHOD
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import find_study
from behavlab.services.study_scoring import study_scoring_folder
from behavlab.services.voiding import live_scores, live_sessions
from behavlab.services.workspace import Workspace, safe_folder_name

if TYPE_CHECKING:
    from tracking.evaluation.boris import BorisObservation


@dataclass(frozen=True)
class BorisExport:
    """The project written, the codes it holds, and the sessions left out (code, reason)."""

    path: Path
    codes: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]


def export_boris_project(
    workspace: Workspace, study_name: str, out_dir: Path, scores_dir: Path | None = None
) -> BorisExport:
    """Write ``<study>.boris`` in ``out_dir``: each machine-scored session's bouts (module docstring)."""
    from tracking.evaluation.boris import boris_project, write_boris_project

    folders = _scored_sessions(workspace, study_name, scores_dir)
    observations: list[BorisObservation] = []
    missing: list[tuple[str, str]] = []
    for folder, codes in sorted(folders.items()):
        found = _bouts_in(folder, codes)
        for code in sorted(codes):
            if code in found:
                observations.append(found[code])
            else:
                missing.append((code, f"no scoring files for it in {folder}"))
    project = boris_project(
        observations,
        behavior=DEFAULT_BORIS_BEHAVIOR,
        name=study_name,
        description="behavlab's immobility bouts, by blind code",
    )
    with tracking_errors():
        path = write_boris_project(out_dir / f"{safe_folder_name(study_name)}.boris", project)
    return BorisExport(path, tuple(o.key for o in observations), tuple(missing))


def _scored_sessions(workspace: Workspace, study_name: str, scores_dir: Path | None) -> dict[Path, set[str]]:
    """The codes of the sessions with a live machine scoring, by the folder of their latest one."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        rows = session.exec(
            select(Allocation.blind_code, ImmobilityScore.method, ImmobilityScore.parameters_sha256)
            .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
            .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
            .where(FstSession.study_id == study.id, Allocation.study_id == study.id)
            .where(live_sessions(), live_scores(), ImmobilityScore.method != MANUAL_METHOD)
            .order_by(col(ImmobilityScore.scored_at), col(ImmobilityScore.id))
        ).all()
    latest = {code: (method, digest) for code, method, digest in rows}
    base = study_scoring_folder(workspace, study_name)
    folders: dict[Path, set[str]] = {}
    for code, (method, digest) in latest.items():
        folder = scores_dir if scores_dir is not None else base / f"{method}-{digest[:12]}"
        folders.setdefault(folder, set()).add(code)
    return folders


def _bouts_in(folder: Path, codes: set[str]) -> dict[str, BorisObservation]:
    """Each code's observation fields from the scoring's per-video documents in ``folder``."""
    from tracking.batch.documents import load_documents, rescore_document
    from tracking.evaluation.boris import BorisObservation

    found: dict[str, BorisObservation] = {}
    with tracking_errors(f"cannot read the scoring in {folder}"):
        for _, document in load_documents(folder):
            wanted = codes & set(document.get("starts", {}))
            if not wanted:
                continue
            score = rescore_document(folder, document)
            media = (folder / "videos" / document["video"]).absolute()
            for result in score.animals:
                if result.animal in wanted:
                    frames = result.frames
                    found[result.animal] = BorisObservation(
                        key=result.animal,
                        media=str(media),
                        bouts=np.column_stack([frames.bouts.start_s, frames.bouts.end_s]),
                        fps=float(score.signal.fps),
                        length_s=float(frames.time_s[-1] + frames.duration_s[-1]),
                        description=f"behavlab {score.method}, test start {result.start.start_s:g} s "
                        "(video time)",
                    )
    return found


__all__ = ["BorisExport", "export_boris_project"]
