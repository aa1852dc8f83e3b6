"""A rater's BORIS aggregated-events export stored as manual FST scores, by blind code, all or nothing.

Each animal is the export's key (:mod:`tracking.evaluation.boris`: the row's Subject, else its Observation
id), typed as the animal's blind code and grouped by the code it normalizes to (``a1b2`` and ``A1B2`` are one
animal: two spellings in one file are a problem). Its score is the seconds of the chosen state behaviour's
bouts (media time: the reader removes BORIS's time offset) in the FST window (:data:`FST_SCORED_WINDOW_S`,
the last 4 minutes of the 6-minute test) counted from the session's test start in video time: the start the
session stores, else the one its latest scoring recorded. The window and every bout must lie within the
session's video (its length read from its header): a window past the end would give a lower score. The sum
is given to the manual score's precision (:data:`MANUAL_PRECISION_S`) and stored with the test start and the
number of bouts in the window. Every problem of the file and of the study (an unknown code, a session with no
test start...) is listed together, and nothing is stored unless there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from behavlab.db.session import writing
from behavlab.errors import BehavlabError, InvalidInputError
from behavlab.models import ImmobilityScore, Study
from behavlab.services.amendments import amendment_reason
from behavlab.services.fst_manual import latest_fst_session, manual_entry, store_manual_entry
from behavlab.services.fst_starts import SessionStart, shown_start
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import checked_code, find_study
from behavlab.services.precision import MANUAL_PRECISION_S
from behavlab.services.voiding import live_scores
from behavlab.services.workspace import Workspace
from tracking.rules.presets import FST_SCORED_WINDOW_S

if TYPE_CHECKING:
    import numpy as np

#: The BORIS behaviour read as immobility unless another is named.
DEFAULT_BORIS_BEHAVIOR = "immobility"


@dataclass(frozen=True)
class BorisImport:
    """What an import stored: each code (as the study spells it), its seconds in the window and its bouts."""

    scores: tuple[tuple[str, float, int], ...]


@dataclass(frozen=True)
class _WindowScore:
    """One animal's bouts counted in its window: the code shown, seconds, bouts in the window, start used."""

    code: str
    seconds: float
    n_bouts: int
    start: SessionStart


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
    keys = _keys_by_code(events.bouts, events.rows, path, problems)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        amending = amendment_reason(session, study, "add scores", amend_reason)
        scored: list[_WindowScore] = []
        for key in keys:
            try:
                scored.append(_window_score(session, study, key, events.bouts[key]))
            except BehavlabError as error:
                problems.append(f"{path}, rows {_rows(events.rows[key])}: {key!r}: {error}")
        if problems:
            raise InvalidInputError(
                f"nothing imported from {path.name}; {len(problems)} problem(s):\n" + "\n".join(problems)
            )
        source: dict[str, object] = {"source": "boris", "file": path.name, "behavior": behavior}
        for score in scored:
            entry = manual_entry(score.seconds, scorer, None, None)
            start_s, start_source = score.start.start_s, score.start.source
            entry = replace(
                entry,
                parameters={
                    **entry.parameters,
                    **source,
                    "test_start_s": start_s,
                    "start_source": start_source,
                },
                details=source,
                test_start_s=start_s,
                start_source=start_source,
                n_bouts=score.n_bouts,
            )
            store_manual_entry(session, workspace, study, score.code, entry, amending)
    return BorisImport(tuple((s.code, s.seconds, s.n_bouts) for s in scored))


def _rows(rows: list[int]) -> str:
    return ", ".join(str(row) for row in rows)


def _keys_by_code(
    bouts: dict[str, np.ndarray], rows: dict[str, list[int]], path: Path, problems: list[str]
) -> list[str]:
    """The keys to score, one per blind code; two spellings of one code are a problem naming their rows.

    A key that is not a well-formed code is kept as typed: the study lookup says why it is refused.
    """
    spellings: dict[str, list[str]] = {}
    for key in sorted(bouts):
        try:
            code = checked_code(key)
        except InvalidInputError:
            code = key
        spellings.setdefault(code, []).append(key)
    for code, keys in spellings.items():
        if len(keys) > 1:
            named = "; ".join(f"{key!r} (rows {_rows(rows[key])})" for key in keys)
            problems.append(f"{path}: {named} are one animal, {code}; accepted: one spelling per animal")
    return [keys[0] for keys in spellings.values() if len(keys) == 1]


def _window_score(session: Session, study: Study, key: str, bouts: np.ndarray) -> _WindowScore:
    """Seconds of ``bouts`` (video time) in the FST window from the session's test start, to 0.1 s.

    Refused when the session has no test start, or its video ends before the window or a bout does.
    """
    fst, code = latest_fst_session(session, study, key)
    scores = session.exec(
        select(ImmobilityScore).where(ImmobilityScore.session_id == fst.id, live_scores())
    ).all()
    start = shown_start(fst, scores)
    if start is None:
        raise InvalidInputError(
            f"the FST session of {code} has no test start: enter it (`behavlab fst mark`, or "
            "`fst add --start-s`) or score the session first, so the window is known"
        )
    import numpy as np

    window_start, window_end = (start.start_s + edge for edge in FST_SCORED_WINDOW_S)
    _refuse_past_the_video(Path(fst.video_path), window_end, bouts)
    overlap = np.minimum(bouts[:, 1], window_end) - np.maximum(bouts[:, 0], window_start)
    steps = round(float(np.clip(overlap, 0, None).sum()) / MANUAL_PRECISION_S)
    seconds = round(steps * MANUAL_PRECISION_S, 6)
    return _WindowScore(code, seconds, int(np.count_nonzero(overlap > 0)), start)


def _refuse_past_the_video(video: Path, window_end: float, bouts: np.ndarray) -> None:
    """Refuse a window or a bout ending after the video's end (or a video whose length cannot be read)."""
    from tracking.video.probe import probe_video

    with tracking_errors(f"video {video.name}"):
        length = probe_video(video).duration_s
    if length is None:
        raise InvalidInputError(
            f"the length of video {video.name} cannot be read, so the window is not known"
        )
    if window_end > length:
        raise InvalidInputError(
            f"the FST window ends at {window_end:g} s of video {video.name}, which is {length:.1f} s long; "
            "accepted: a video holding the whole window (a window past its end would give a lower score)"
        )
    late = bouts[bouts[:, 1] > length]
    if late.size:
        raise InvalidInputError(
            f"the bout from {late[0, 0]:g} s ends at {late[0, 1]:g} s, after the end of video {video.name} "
            f"({length:.1f} s); accepted: bouts within the session's video"
        )


__all__ = ["DEFAULT_BORIS_BEHAVIOR", "BorisImport", "import_boris_scores"]
