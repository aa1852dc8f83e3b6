"""Each FST session's test start in video time: entered starts checked against the video, and the start shown.

A session stores the start a person entered (``fst add --start-s``, the sheet's ``start_s``, the terminal app)
or marked at the bench; study scoring uses it, and detects the start of a session that has none. A list of
sessions shows the stored start, else the start its latest scoring recorded (detected, with its confidence).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from behavlab.errors import InvalidInputError
from behavlab.models import FstSession, ImmobilityScore
from behavlab.services.bench_marks import BenchStartError, bench_start
from behavlab.services.library_errors import tracking_errors
from tracking.rules.starts import StartSource

#: What a test start may be, as refusals say it.
START_ACCEPTED = "seconds >= 0 of video time, before the video's end"


@dataclass(frozen=True)
class SessionStart:
    """A session's test start (s of video time), its source and, when detected, the detection's confidence."""

    start_s: float
    source: str
    confidence: float | None = None


def check_entered_start(video: Path, start_s: float | None) -> None:
    """Refuse an entered start outside its video: InvalidInputError naming the video and its length.

    The video's length is read from its header; a start at or past its end (or below 0) is refused.
    """
    if start_s is None:
        return
    if not (math.isfinite(start_s) and start_s >= 0):
        raise InvalidInputError(f"test start {start_s!r} not accepted; accepted: {START_ACCEPTED}")
    from tracking.video.probe import probe_video

    with tracking_errors(f"video {video.name}"):
        duration_s = probe_video(video).duration_s
    if duration_s is not None and start_s >= duration_s:
        raise InvalidInputError(
            f"test start {start_s:g} s is not within video {video.name}, which is {duration_s:.1f} s long; "
            f"accepted: {START_ACCEPTED}"
        )


@dataclass(frozen=True)
class StartToStore:
    """The start a new session stores (None: detected when scored), how a bench mark was placed, warnings."""

    start: SessionStart | None
    basis: str | None = None
    warnings: tuple[str, ...] = ()


def start_to_store(db: Session, animal_id: int, video: Path, entered_s: float | None) -> StartToStore:
    """A new session's start: the entered one, else the animal's bench mark placed in `video`, else none.

    A bench mark that cannot be placed in the video (no camera mark nor creation time, or outside the video)
    leaves the start to detection and says why in a warning.
    """
    if entered_s is not None:
        return StartToStore(SessionStart(entered_s, StartSource.ENTERED.value))
    try:
        bench = bench_start(db, animal_id, video)
    except BenchStartError as error:
        return StartToStore(None, warnings=(f"bench mark not used, the start will be detected: {error}",))
    if bench is None:
        return StartToStore(None)
    return StartToStore(SessionStart(bench.start_s, StartSource.BENCH.value), basis=bench.basis)


def stored_start(session: FstSession) -> SessionStart | None:
    """The start a session stores (entered, or marked at the bench), or None: its start is detected."""
    if session.start_s is None or session.start_source is None:
        return None
    return SessionStart(session.start_s, session.start_source)


def shown_start(session: FstSession, scores: Iterable[ImmobilityScore]) -> SessionStart | None:
    """The start a list shows: the session's stored one, else the latest of its scores' recorded starts."""
    stored = stored_start(session)
    if stored is not None:
        return stored
    recorded = [s for s in scores if s.test_start_s is not None and s.start_source is not None]
    if not recorded:
        return None
    latest = max(recorded, key=lambda score: (score.scored_at, score.id or 0))
    assert latest.test_start_s is not None and latest.start_source is not None  # filtered above
    return SessionStart(latest.test_start_s, latest.start_source, latest.start_confidence)


__all__ = [
    "START_ACCEPTED",
    "SessionStart",
    "check_entered_start",
    "shown_start",
    "stored_start",
]
