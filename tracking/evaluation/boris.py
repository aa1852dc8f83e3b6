"""BORIS in and out: a rater's aggregated-events export checked whole, and bouts as a BORIS project.

BORIS (Friard & Gamba 2016, Methods Ecol. Evol. 7:1325) keeps a project as JSON (``.boris``): an ethogram
(``behaviors_conf``: code, ``"State event"`` or ``"Point event"``), subjects (``subjects_conf``) and
``observations`` by id, each with its media (``file``: player ``"1"`` -> paths; ``media_info``: length, fps,
hasVideo, hasAudio, offset), ``"type": "MEDIA"``, a ``"time offset"`` and its ``events``: ``[time, subject,
behavior code, modifier, comment, frame index]`` in media seconds, a state behaviour's start and stop being
two events of the same behaviour and subject, in time order. Its "aggregated events" export has one row per
bout: ``Observation id``, ``Subject``, ``Behavior``, ``Behavior type`` (``STATE``, ``POINT``), ``Start (s)``,
``Stop (s)``, ``Duration (s)``, ``Media file name`` (or ``Media file``; else the path in ``Source``),
``Media duration (s)`` (recent versions), ``FPS``.

Times: BORIS records an event at the media position plus the observation's ``time offset`` (its ``core.py``
adds it when coding; ``events_snapshots.py`` subtracts it to find the frame), and the aggregated export writes
those times unchanged beside ``Time offset (s)``: ``Start (s)``/``Stop (s)`` are observation times, and a
bout's media (video) time, the one returned, is ``Start (s) - Time offset (s)``. An observation of several
media files (``Source`` ``player #1:a.mp4;b.mp4``, or a second player) times its events across the files
joined, so it is refused: one video per observation.

Keys: a bout's animal is its row's ``Subject`` if any (a video filming several animals, a subject each), else
its ``Observation id`` (one observation per animal). Bouts are keyed by that animal, but a subject coded in
several observations (one animal's sessions, each its own video) is keyed ``<observation id>/<subject>`` in
each, never merged; each key's animal, observation and media file's base name are given beside its bouts. A
project of :func:`boris_project` (one observation per session, ``<code>-fst<n>``, coded for the animal) reads
back each session's bouts apart: under the animal's code, or ``<code>-fst<n>/<code>`` for one of several.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath
from typing import Any

import numpy as np
import pandas as pd

from tracking.evaluation.labels import (
    END_COLUMNS,
    START_COLUMNS,
    HumanLabels,
    LabelFileError,
    find_column,
    read_label_table,
)
from writing.documents import write_json

#: The BORIS project format version written (BORIS 7 and 8 read it).
BORIS_PROJECT_FORMAT = "7.0"
STATE_EVENT = "State event"
_OBSERVATION_COLUMNS = ("observation id",)
_SUBJECT_COLUMNS = ("subject",)
_BEHAVIOR_COLUMNS = ("behavior", "behaviour")
_TYPE_COLUMNS = ("behavior type", "behaviour type")
_MEDIA_LENGTH_COLUMNS = ("media duration (s)", "media duration")
_OFFSET_COLUMNS = ("time offset (s)", "time offset")
_SOURCE_COLUMNS = ("source",)
_MEDIA_COLUMNS = ("media file name", "media file")
_ONE_VIDEO = "accepted: one video per observation"
_EVENT_TIME, _EVENT_SUBJECT, _EVENT_BEHAVIOR, _EVENT_MODIFIER = 0, 1, 2, 3


@dataclass(frozen=True)
class BorisObservation:
    """One animal's bouts ``(n, 2)`` in media seconds, as one BORIS observation of its video.

    ``key`` is the observation's id; ``subject`` the animal its events are coded for (default: the key).
    """

    key: str
    media: str
    bouts: np.ndarray
    fps: float | None = None
    length_s: float | None = None
    description: str = ""
    subject: str = ""


@dataclass
class AggregatedEvents:
    """A checked aggregated-events export: each key's bouts of the behaviour, its rows, and every problem.

    ``animals`` and ``observations`` are each key's animal (subject, else observation id) and observation
    id; ``media_length_s`` and ``media`` are each key's media duration and file's base name (``a.mp4``) when
    the export gives them; ``problems`` are :class:`LabelFileError` records (file, row, field, what is
    accepted), none raised.
    """

    path: str
    bouts: dict[str, np.ndarray] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    animals: dict[str, str] = field(default_factory=dict)
    observations: dict[str, str] = field(default_factory=dict)
    media_length_s: dict[str, float] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)
    problems: list[LabelFileError] = field(default_factory=list)


def read_aggregated_events(path: str | Path, behavior: str) -> AggregatedEvents:
    """Every ``behavior`` bout of a BORIS aggregated-events export (TSV/CSV) by key, with every problem.

    A problem does not stop the reading: missing columns, a behaviour the file never names, POINT events of
    the behaviour, times that are not numbers or a stop not after its start, bouts of one key that overlap,
    and bouts ending after the media's duration are all listed, each naming its row (header = row 1).
    """
    table = read_label_table(path)
    found = AggregatedEvents(str(path))
    try:
        columns = {
            "observation": find_column(table, _OBSERVATION_COLUMNS, path, "observation id"),
            "behavior": find_column(table, _BEHAVIOR_COLUMNS, path, "behavior"),
            "start": find_column(table, START_COLUMNS, path, "bout start (seconds)"),
            "stop": find_column(table, END_COLUMNS, path, "bout stop (seconds)"),
        }
    except LabelFileError as missing:
        found.problems.append(missing)
        return found
    names = table[columns["behavior"]].astype("string").fillna("").str.strip()
    chosen = table[names.str.lower() == behavior.lower()]
    if chosen.empty:
        listed = ", ".join(sorted(set(names))) or "none"
        found.problems.append(
            LabelFileError(
                path,
                f"no event of behavior {behavior!r}; behaviors in the file: {listed}",
                field=columns["behavior"],
            )
        )
        return found
    chosen = _state_rows(chosen, table, path, found)
    _collect_bouts(chosen, table, columns, found)
    _check_bouts(found, path)
    return found


def _collect_bouts(
    chosen: pd.DataFrame, table: pd.DataFrame, columns: Mapping[str, str], found: AggregatedEvents
) -> None:
    """Each row's bout in media time under its key; a row that is not one bout of one video is a problem."""
    offsets = _numbers(chosen, table, _OFFSET_COLUMNS, 0.0)
    starts = pd.to_numeric(chosen[columns["start"]], errors="coerce").to_numpy(dtype=np.float64) - offsets
    stops = pd.to_numeric(chosen[columns["stop"]], errors="coerce").to_numpy(dtype=np.float64) - offsets
    lengths = _numbers(chosen, table, _MEDIA_LENGTH_COLUMNS, np.nan)
    rows = [int(str(index)) + 2 for index in chosen.index]
    animals = _keys(chosen, table, columns["observation"]).tolist()
    observations = _texts(chosen, columns["observation"]).tolist()
    keys = _session_keys(list(zip(observations, animals, strict=True)))
    several, media = _media(chosen, table)
    for i, (row, key, start, stop) in enumerate(zip(rows, keys, starts, stops, strict=True)):
        shown = chosen.iloc[i]
        problem = ""
        if several[i]:
            problem = f"observation {observations[i]!r} has more than one media file; {_ONE_VIDEO}"
        elif not (np.isfinite(start) and np.isfinite(stop) and 0 <= start < stop):
            problem = (
                f"bout {shown[columns['start']]!r} to {shown[columns['stop']]!r} (less the time offset): "
                "accepted: numbers of seconds, the start >= 0 and the stop after it"
            )
        if problem:
            found.problems.append(LabelFileError(found.path, problem, row=row, field=columns["stop"]))
            continue
        found.rows.setdefault(key, []).append(row)
        found.animals[key], found.observations[key] = animals[i], observations[i]
        found.bouts[key] = np.vstack([found.bouts.get(key, np.empty((0, 2))), [start, stop]])
        if np.isfinite(lengths[i]):
            found.media_length_s[key] = float(lengths[i])
        if media[i]:
            found.media[key] = media[i]


def _session_keys(coded: Sequence[tuple[str, str]]) -> list[str]:
    """Each ``(observation id, animal)``'s key: the animal, else ``<observation id>/<animal>`` in several."""
    seen: dict[str, set[str]] = {}
    for observation, animal in coded:
        seen.setdefault(animal, set()).add(observation)
    return [animal if len(seen[animal]) == 1 else f"{observation}/{animal}" for observation, animal in coded]


def _state_rows(
    chosen: pd.DataFrame, table: pd.DataFrame, path: str | Path, found: AggregatedEvents
) -> pd.DataFrame:
    """The rows of STATE events; a POINT event of the behaviour is a problem (a state starts and stops)."""
    type_col = find_column(table, _TYPE_COLUMNS, path, "behavior type", required=False)
    if type_col is None:
        return chosen
    kinds = chosen[type_col].astype("string").fillna("").str.strip().str.upper()
    for row in chosen.index[kinds != "STATE"]:
        found.problems.append(
            LabelFileError(
                path,
                f"behavior type {chosen.at[row, type_col]!r}; accepted: STATE (define the behavior as a "
                "state event in the BORIS ethogram, with a start and a stop)",
                row=int(str(row)) + 2,
                field=type_col,
            )
        )
    return chosen[kinds == "STATE"]


def _keys(chosen: pd.DataFrame, table: pd.DataFrame, observation_col: str) -> pd.Series:
    """Each row's key: its subject when it has one, else its observation id (module Notes)."""
    observations = _texts(chosen, observation_col)
    subject_col = find_column(table, _SUBJECT_COLUMNS, "", "subject", required=False)
    if subject_col is None:
        return observations
    subjects = _texts(chosen, subject_col)
    subjects = subjects.mask(subjects.str.lower() == "no focal subject", "")
    return subjects.where(subjects != "", observations)


def _numbers(chosen: pd.DataFrame, table: pd.DataFrame, names: Sequence[str], absent: float) -> np.ndarray:
    """Each row's number in the first of ``names`` found (NaN where it is not one), else ``absent``."""
    column = find_column(table, names, "", names[0], required=False)
    if column is None:
        return np.full(len(chosen), absent)
    return pd.to_numeric(chosen[column], errors="coerce").to_numpy(dtype=np.float64)


def _texts(chosen: pd.DataFrame, column: str | None) -> pd.Series:
    """Each row's text in ``column``, stripped ("" where empty, or for every row when there is no column)."""
    if column is None:
        return pd.Series("", index=chosen.index, dtype="string")
    return chosen[column].astype("string").fillna("").str.strip()


def _media(chosen: pd.DataFrame, table: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Whether each row's observation plays several media (``;``, ``|`` in ``Source``); its media or ""."""
    sources = _texts(chosen, find_column(table, _SOURCE_COLUMNS, "", "source", required=False))
    column = find_column(table, _MEDIA_COLUMNS, "", "media file name", required=False)
    named = _texts(chosen, column) if column else sources.str.replace(r"^player #\d+:\s*", "", regex=True)
    names = ["" if name.upper() in ("", "NA") else PureWindowsPath(name).name for name in named]
    return sources.str.contains(r"[;|]").to_numpy(dtype=bool), names


def _check_bouts(found: AggregatedEvents, path: str | Path) -> None:
    """Sort each key's bouts; list bouts that overlap another and bouts ending after the media's end."""
    for key, bouts in found.bouts.items():
        order = np.argsort(bouts[:, 0], kind="stable")
        found.bouts[key], found.rows[key] = bouts[order], [found.rows[key][i] for i in order]
        sorted_bouts, rows = found.bouts[key], found.rows[key]
        for i in np.flatnonzero(sorted_bouts[1:, 0] < sorted_bouts[:-1, 1]):
            overlap = (
                f"{key}: the bout from {sorted_bouts[i + 1, 0]:g} s overlaps the bout of row {rows[i]} "
                f"(to {sorted_bouts[i, 1]:g} s); accepted: bouts of one animal that do not overlap"
            )
            found.problems.append(LabelFileError(path, overlap, row=rows[i + 1]))
        length = found.media_length_s.get(key)
        for i in np.flatnonzero(sorted_bouts[:, 1] > length) if length is not None else []:
            late = f"{key}: the bout ends at {sorted_bouts[i, 1]:g} s, after the video's end ({length:g} s)"
            found.problems.append(
                LabelFileError(path, f"{late}; accepted: bouts within the video", row=rows[i])
            )


def boris_project(
    observations: Sequence[BorisObservation], *, behavior: str, name: str, description: str = ""
) -> dict[str, Any]:
    """A BORIS project (the ``.boris`` JSON) with ``behavior`` as a state event and one observation each."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    subjects = dict.fromkeys(o.subject or o.key for o in observations)
    return {
        "time_format": "s",
        "project_date": now,
        "project_name": name,
        "project_description": description,
        "project_format_version": BORIS_PROJECT_FORMAT,
        "subjects_conf": {
            str(i): {"key": "", "name": subject, "description": ""} for i, subject in enumerate(subjects)
        },
        "behaviors_conf": {
            "0": {
                "type": STATE_EVENT,
                "key": behavior[:1],
                "code": behavior,
                "description": "",
                "color": "",
                "category": "",
                "modifiers": {},
                "excluded": "",
                "coding map": "",
            }
        },
        "observations": {o.key: _observation(o, behavior, now) for o in observations},
        "behavioral_categories": [],
        "independent_variables": {},
        "coding_map": {},
        "behaviors_coding_map": [],
        "converters": {},
    }


def _observation(observation: BorisObservation, behavior: str, date: str) -> dict[str, Any]:
    """One MEDIA observation: its video on player 1 and each bout as a start and a stop event."""
    media = observation.media
    events = [
        [_millisecond_floor(time), observation.subject or observation.key, behavior, "", "", "NA"]
        for bout in np.asarray(observation.bouts, dtype=np.float64).reshape(-1, 2)
        for time in bout
    ]
    return {
        "file": {"1": [media], "2": []},
        "type": "MEDIA",
        "date": date,
        "description": observation.description,
        "time offset": 0.0,
        "events": events,
        "observation time interval": [0, 0],
        "independent_variables": {},
        "visualize_spectrogram": False,
        "visualize_waveform": False,
        "media_creation_date_as_offset": False,
        "media_scan_sampling_duration": 0,
        "image_display_duration": 1,
        "close_behaviors_between_videos": False,
        "media_info": {
            "length": {} if observation.length_s is None else {media: observation.length_s},
            "fps": {} if observation.fps is None else {media: observation.fps},
            "hasVideo": {media: True},
            "hasAudio": {media: False},
            "offset": {"1": 0.0},
        },
    }


def _millisecond_floor(time: float) -> float:
    """A time to BORIS's millisecond, rounded down, so a bout's start and end keep every frame on its side.

    Rounding to the nearest would move 12.0667 s (a frame at 15 fps) to 12.067, after the frame it starts at.
    """
    return math.floor(round(float(time) * 1000, 6)) / 1000


def write_boris_project(path: str | Path, project: Mapping[str, Any]) -> Path:
    """Write a BORIS project file (atomically)."""
    return write_json(path, project)


def read_boris_project(path: str | Path, behavior: str) -> dict[str, HumanLabels]:
    """Each animal's ``behavior`` bouts from a BORIS project, keyed as in the module Notes.

    A state behaviour's events alternate start, stop per subject and modifier, in time order; bouts are given
    in media time (less the observation's time offset), each under the animal's name as ``animal`` and its
    observation id as ``video``. A start never stopped (an observation left open) and an observation of
    several media files are LabelFileErrors naming them.
    """
    path = Path(path)
    if not path.is_file():
        raise LabelFileError(path, "no such file")
    try:
        read: list[HumanLabels] = []
        for obs_id, observation in json.loads(path.read_text(encoding="utf-8"))["observations"].items():
            if sum(len(files) for files in observation.get("file", {}).values()) > 1:
                raise LabelFileError(
                    path, f"observation {obs_id!r} has more than one media file; {_ONE_VIDEO}"
                )
            for animal, bouts in _state_bouts(str(obs_id), observation["events"], behavior, path).items():
                media_bouts = bouts - float(observation.get("time offset", 0.0))
                read.append(HumanLabels(str(obs_id), str(path), bouts=media_bouts, animal=animal))
        keys = _session_keys([(labels.video, labels.animal) for labels in read])
        return dict(zip(keys, read, strict=True))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, UnicodeDecodeError) as error:
        if isinstance(error, LabelFileError):
            raise
        raise LabelFileError(path, f"not a BORIS project ({type(error).__name__}: {error})") from error


def _state_bouts(
    obs_id: str, events: Sequence[Sequence[Any]], behavior: str, path: Path
) -> dict[str, np.ndarray]:
    """One observation's bouts of a state behaviour by key: its events paired start, stop."""
    open_at: dict[tuple[str, str], float] = {}
    bouts: dict[str, list[tuple[float, float]]] = {}
    for event in sorted(events, key=lambda e: float(e[_EVENT_TIME])):
        if str(event[_EVENT_BEHAVIOR]).lower() != behavior.lower():
            continue
        subject, time = str(event[_EVENT_SUBJECT]), float(event[_EVENT_TIME])
        state = (subject, str(event[_EVENT_MODIFIER]))
        if state in open_at:
            bouts.setdefault(subject or obs_id, []).append((open_at.pop(state), time))
        else:
            open_at[state] = time
    if open_at:
        raise LabelFileError(path, f"observation {obs_id!r}: a {behavior!r} state started and never stopped")
    return {key: np.array(pairs, dtype=np.float64).reshape(-1, 2) for key, pairs in bouts.items()}


__all__ = [
    "BORIS_PROJECT_FORMAT",
    "AggregatedEvents",
    "BorisObservation",
    "boris_project",
    "read_aggregated_events",
    "read_boris_project",
    "write_boris_project",
]
