"""A rater's BORIS aggregated-events export stored as manual FST scores, by blind code, all or nothing.

Each animal is the export's key (:mod:`tracking.evaluation.boris`: the row's Subject, else its Observation
id), typed as the animal's blind code and grouped by the code it normalizes to (``a1b2`` and ``A1B2`` are one
animal: two spellings in one file are a problem). Each of its observations is one of its live FST sessions.
An observation whose media is a scoring's video link (``<codes>-<tag>.<ext>``, the tag the start of the
video's recorded SHA-256, as ``behavlab export boris`` gives them) is the live session of that video,
whatever the observation's name says: a session voided or added since the export moves no observation, and
a media naming the video of none of the animal's live sessions (voided since the export) is refused. Other
observations are matched by position, at the import: one named ``<code>-fst<n>`` is the animal's n-th live
session in test order, a lone one named otherwise its latest. Observations that do not each name a session
of their own are refused. Each session's score is the seconds of the chosen state behaviour's bouts (media
time: the reader removes BORIS's time offset) in the FST window (:data:`FST_SCORED_WINDOW_S`, the last 4
minutes of the 6-minute test) counted from the session's test start in video time: the start the
session stores, else the one its latest scoring recorded. The window and every bout must lie within the
session's video (its length read from its header): a window past the end would give a lower score. The sum
is given to the manual score's precision (:data:`MANUAL_PRECISION_S`) and stored with the test start and the
number of bouts in the window. Every problem of the file and of the study (an unknown code, a session with no
test start...) is listed together, and nothing is stored unless there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from behavlab.db.session import writing
from behavlab.errors import BehavlabError, InvalidInputError, NotFoundError
from behavlab.models import FstSession, ImmobilityScore, Study
from behavlab.services.amendments import amendment_reason
from behavlab.services.fst_manual import ManualEntry, manual_entry, store_session_entry
from behavlab.services.fst_starts import SessionStart, shown_start
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import checked_code, find_animal_by_typed_code, find_study
from behavlab.services.precision import MANUAL_PRECISION_S
from behavlab.services.scoring_links import LINK_NAME, link_tag
from behavlab.services.voiding import live_scores, live_sessions
from behavlab.services.workspace import Workspace
from tracking.rules.presets import FST_SCORED_WINDOW_S

if TYPE_CHECKING:
    import numpy as np

    from tracking.evaluation.boris import AggregatedEvents

#: The BORIS behaviour read as immobility unless another is named.
DEFAULT_BORIS_BEHAVIOR = "immobility"

#: The suffix of an observation id naming an animal's FST session by its number in test order.
SESSION_SUFFIX = "-fst"


def session_observation(code: str, number: int) -> str:
    """The observation id of an animal's ``number``-th FST session in test order: ``<code>-fst<n>``."""
    return f"{code}{SESSION_SUFFIX}{number}"


@dataclass(frozen=True)
class BorisImport:
    """What an import stored: each code (as the study spells it), its seconds in the window and its bouts."""

    scores: tuple[tuple[str, float, int], ...]


@dataclass(frozen=True)
class _Observed:
    """One animal's bouts in one observation: the export's key, the animal as typed, its observation, rows.

    ``media`` is the observation's media file name ("" when the export does not give it).
    """

    key: str
    animal: str
    observation: str
    rows: list[int]
    media: str


@dataclass(frozen=True)
class _WindowScore:
    """One session's bouts counted in its window: the session, code shown, seconds, bouts, start used."""

    fst: FstSession
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
    observed = _observed_by_code(events, path, problems)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        amending = amendment_reason(session, study, "add scores", amend_reason)
        scored: list[_WindowScore] = []
        for entries in observed.values():
            rows = _rows(sorted(row for entry in entries for row in entry.rows))
            try:
                matched = _matched_sessions(session, study, entries)
                scored.extend(
                    _window_score(session, fst, code, events.bouts[key]) for key, fst, code in matched
                )
            except BehavlabError as error:
                problems.append(f"{path}, rows {rows}: {entries[0].animal!r}: {error}")
        if problems:
            raise InvalidInputError(
                f"nothing imported from {path.name}; {len(problems)} problem(s):\n" + "\n".join(problems)
            )
        for score in scored:
            store_session_entry(
                session,
                workspace,
                study,
                score.fst,
                score.code,
                _entry(score, scorer, path, behavior),
                amending,
            )
    return BorisImport(tuple((s.code, s.seconds, s.n_bouts) for s in scored))


def _entry(score: _WindowScore, scorer: str, path: Path, behavior: str) -> ManualEntry:
    """The manual entry of one session's bouts: its seconds and bouts, the test start and the file read."""
    source: dict[str, object] = {"source": "boris", "file": path.name, "behavior": behavior}
    entry = manual_entry(score.seconds, scorer, None, None)
    start_s, start_source = score.start.start_s, score.start.source
    return replace(
        entry,
        parameters={**entry.parameters, **source, "test_start_s": start_s, "start_source": start_source},
        details=source,
        test_start_s=start_s,
        start_source=start_source,
        n_bouts=score.n_bouts,
    )


def _rows(rows: list[int]) -> str:
    return ", ".join(str(row) for row in rows)


def _observed_by_code(
    events: AggregatedEvents, path: Path, problems: list[str]
) -> dict[str, list[_Observed]]:
    """Each animal's observations, by the blind code it normalizes to; two spellings of one are a problem.

    An animal that is not a well-formed code is kept as typed: the study lookup says why it is refused.
    """
    observed: dict[str, list[_Observed]] = {}
    for key in sorted(events.bouts):
        animal = events.animals[key]
        try:
            code = checked_code(animal)
        except InvalidInputError:
            code = animal
        entry = _Observed(key, animal, events.observations[key], events.rows[key], events.media.get(key, ""))
        observed.setdefault(code, []).append(entry)
    for code, entries in list(observed.items()):
        spellings = sorted({entry.animal for entry in entries})
        if len(spellings) > 1:
            named = "; ".join(
                f"{spelling!r} (rows {_rows([r for e in entries if e.animal == spelling for r in e.rows])})"
                for spelling in spellings
            )
            problems.append(f"{path}: {named} are one animal, {code}; accepted: one spelling per animal")
            del observed[code]
    return observed


def _matched_sessions(
    session: Session, study: Study, entries: list[_Observed]
) -> list[tuple[str, FstSession, str]]:
    """Each observation of one animal with its FST session and the code as the study spells it.

    An observation whose media is a scoring link is the session of that video (:func:`_filmed_session`);
    else one named ``<code>-fst<n>`` is the animal's n-th live session in test order, and a lone observation
    named otherwise its latest. Observations that do not each name a session of their own are refused.
    """
    animal, allocation = find_animal_by_typed_code(session, study, entries[0].animal)
    code = allocation.blind_code
    sessions = session.exec(
        select(FstSession)
        .where(FstSession.animal_id == animal.id, live_sessions())
        .order_by(col(FstSession.tested_at), col(FstSession.id))
    ).all()
    if not sessions:
        raise NotFoundError(f"animal {code} has no FST session; record it with `behavlab fst add` first")
    numbers = [_session_number(entry.observation, code) for entry in entries]
    every_video = session.exec(select(FstSession.video_sha256).where(FstSession.animal_id == animal.id)).all()
    filmed: list[FstSession | None] = []
    problems: list[str] = []
    for entry in entries:
        try:
            filmed.append(_filmed_session(entry, code, sessions, every_video))
        except InvalidInputError as error:
            problems.append(str(error))
    if problems:
        raise InvalidInputError("; ".join(problems))
    observations = ", ".join(repr(entry.observation) for entry in entries)
    if len(entries) > 1 and any(fst is None and n is None for fst, n in zip(filmed, numbers, strict=True)):
        raise InvalidInputError(
            f"{code} is in observations {observations}, which do not each name one of its FST sessions; "
            f"accepted: observations named {session_observation(code, 1)}, {session_observation(code, 2)}... "
            "(its sessions in test order, as `behavlab export boris` names them)"
        )
    chosen = [
        fst if fst is not None else _numbered_session(entry, number, code, sessions)
        for entry, fst, number in zip(entries, filmed, numbers, strict=True)
    ]
    ids = [fst.id for fst in chosen]
    for i, fst in enumerate(chosen):
        if fst.id in ids[:i]:
            first = entries[ids.index(fst.id)].observation
            raise InvalidInputError(
                f"observations {first!r} and {entries[i].observation!r} both name FST session "
                f"{sessions.index(fst) + 1} of {code} in test order; accepted: one observation per session"
            )
    return [(entry.key, fst, code) for entry, fst in zip(entries, chosen, strict=True)]


def _filmed_session(
    entry: _Observed, code: str, sessions: Sequence[FstSession], every_video: Sequence[str]
) -> FstSession | None:
    """The live session whose video the observation's media link names; None when its media is no link.

    A link's name is the codes filmed in its video, the animal's among them, and the video's
    :func:`~behavlab.services.scoring_links.link_tag`. A name of that shape whose tag is the video of none of
    the animal's sessions, live or voided, is the lab's own (``<code>-20261201.mp4``) and no link. A link to
    the video of a voided session only (voided since the export) is refused, and so is one naming several.
    """
    link = LINK_NAME.match(entry.media)
    if link is None or code.upper() not in link.group(1).upper().split("-"):
        return None
    tag = link.group(2).lower()
    filmed = [fst for fst in sessions if link_tag(fst.video_sha256) == tag]
    if len(filmed) == 1:
        return filmed[0]
    if filmed:
        raise InvalidInputError(
            f"observation {entry.observation!r}: its media {entry.media} names the videos of {len(filmed)} "
            f"live FST sessions of {code} (their hashes start alike); accepted: a media naming one session's"
            " video"
        )
    if all(link_tag(video) != tag for video in every_video):
        return None
    raise InvalidInputError(
        f"observation {entry.observation!r}: its media {entry.media} is the video of no live FST session of "
        f"{code}; the session may have been voided since the export; export again (`behavlab export boris`); "
        "accepted: an observation whose media is the video of one of its live sessions"
    )


def _numbered_session(
    entry: _Observed, number: int | None, code: str, sessions: Sequence[FstSession]
) -> FstSession:
    """The n-th live session of an observation named ``<code>-fst<n>``, else (a lone one) the latest."""
    if number is None:
        return sessions[-1]
    if number > len(sessions):
        raise InvalidInputError(
            f"observation {entry.observation!r} names FST session {number} of {code}, "
            f"which has {len(sessions)}"
        )
    return sessions[number - 1]


def _session_number(observation: str, code: str) -> int | None:
    """The n of an observation id ``<code>-fst<n>`` naming one of ``code``'s sessions; else None."""
    typed, suffix, number = observation.rpartition(SESSION_SUFFIX)
    if not suffix or not number.isdigit() or int(number) < 1:
        return None
    try:
        return int(number) if checked_code(typed) == code else None
    except InvalidInputError:
        return None


def _window_score(session: Session, fst: FstSession, code: str, bouts: np.ndarray) -> _WindowScore:
    """Seconds of ``bouts`` (video time) in the FST window from the session's test start, to 0.1 s.

    Refused when the session has no test start, or its video ends before the window or a bout does.
    """
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
    return _WindowScore(fst, code, seconds, int(np.count_nonzero(overlap > 0)), start)


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
