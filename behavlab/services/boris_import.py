"""A rater's BORIS aggregated-events export stored as manual FST scores, by blind code, all or nothing.

Each animal is the export's key (:mod:`tracking.evaluation.boris`: the row's Subject, else its Observation
id), typed as the animal's blind code. Its score is the seconds of the chosen state behaviour's bouts that lie
in the FST window (:data:`FST_SCORED_WINDOW_S`, the last 4 minutes of the 6-minute test) counted from the
session's test start in video time (BORIS times are media times): the start the session stores, else the
one its latest scoring recorded. The sum is given to the manual score's precision
(:data:`MANUAL_PRECISION_S`). Every problem of the file and of the study (an unknown code, a session with no
test start...) is listed together, and nothing is stored unless there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlmodel import Session, select

from behavlab.db.session import writing
from behavlab.errors import BehavlabError, InvalidInputError
from behavlab.models import ImmobilityScore, Study
from behavlab.services.amendments import amendment_reason
from behavlab.services.fst_manual import latest_fst_session, manual_entry, store_manual_entry
from behavlab.services.fst_starts import shown_start
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import find_study
from behavlab.services.precision import MANUAL_PRECISION_S
from behavlab.services.voiding import live_scores
from behavlab.services.workspace import Workspace
from tracking.rules.presets import FST_SCORED_WINDOW_S

#: The BORIS behaviour read as immobility unless another is named.
DEFAULT_BORIS_BEHAVIOR = "immobility"


@dataclass(frozen=True)
class BorisImport:
    """What an import stored: each code's seconds immobile in the window and its number of bouts."""

    scores: tuple[tuple[str, float, int], ...]


def import_boris_scores(
    workspace: Workspace,
    study_name: str,
    path: Path,
    scorer: str,
    behavior: str = DEFAULT_BORIS_BEHAVIOR,
    amend_reason: str | None = None,
) -> BorisImport:
    """Store each animal's immobility from a BORIS aggregated-events export (module docstring)."""
    from tracking.evaluation.boris import read_aggregated_events

    with tracking_errors():
        events = read_aggregated_events(path, behavior)
    problems = [str(problem) for problem in events.problems]
    stored: list[tuple[str, float, int]] = []
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        amending = amendment_reason(session, study, "add scores", amend_reason)
        seconds: dict[str, float] = {}
        for key, bouts in sorted(events.bouts.items()):
            try:
                seconds[key] = _window_seconds(session, study, key, bouts)
            except BehavlabError as error:
                rows = ", ".join(str(row) for row in events.rows[key])
                problems.append(f"{path}, rows {rows}: {key!r}: {error}")
        if problems:
            raise InvalidInputError(
                f"nothing imported from {path.name}; {len(problems)} problem(s):\n" + "\n".join(problems)
            )
        for key, immobility_s in seconds.items():
            entry = manual_entry(immobility_s, scorer, None, None)
            source: dict[str, object] = {"source": "boris", "file": path.name, "behavior": behavior}
            entry = replace(entry, parameters={**entry.parameters, **source}, details=source)
            store_manual_entry(session, workspace, study, key, entry, amending)
            stored.append((key.upper(), immobility_s, len(events.bouts[key])))
    return BorisImport(tuple(stored))


def _window_seconds(session: Session, study: Study, code: str, bouts: np.ndarray) -> float:
    """Seconds of ``bouts`` (video time) in the FST window from the session's test start, to 0.1 s."""
    fst, shown = latest_fst_session(session, study, code)
    scores = session.exec(
        select(ImmobilityScore).where(ImmobilityScore.session_id == fst.id, live_scores())
    ).all()
    start = shown_start(fst, scores)
    if start is None:
        raise InvalidInputError(
            f"the FST session of {shown} has no test start: enter it (`behavlab fst mark`, or "
            "`fst add --start-s`) or score the session first, so the window is known"
        )
    window_start, window_end = (start.start_s + edge for edge in FST_SCORED_WINDOW_S)
    overlap = np.minimum(bouts[:, 1], window_end) - np.maximum(bouts[:, 0], window_start)
    steps = round(float(np.clip(overlap, 0, None).sum()) / MANUAL_PRECISION_S)
    return round(steps * MANUAL_PRECISION_S, 6)


__all__ = ["DEFAULT_BORIS_BEHAVIOR", "BorisImport", "import_boris_scores"]
