"""Several raters in one bout table: a rater column, bout rows, and each rater's own test-start markers.

:func:`rater_column` says whether a table names its raters (a column ``Experimenter``, ``rater``,
``observer`` or ``scorer``, or one named by the caller); :func:`read_rater_bouts` reads such a table
(Sturman et al. 2020's ``AllFSTLables.csv`` as it is: ``;``-separated, columns file, Experimenter, from, to,
type, ID) into one list of :class:`~tracking.evaluation.scorings.Scoring` per rater, each video's bouts
moved onto that rater's own test clock.

Notes
-----
Columns: the video is the ``ID`` column (else ``video``, ``observation id``, ``media file``, ``file``; the
``file`` of the Sturman table names the rater's own file, so ``ID`` comes first), bouts run ``from`` ..
``to`` (or start/end), and the ``type`` (or behaviour) column says what a row is:

- test markers: a type that reads ``Start_End``, ``StartEnd``, ``Start/End``, ``Start`` or ``End`` once
  case, spaces and punctuation are dropped;
- ``_DEFAULT`` rows: in the Sturman table the two there (Rebecca on FST_1, Oliver on FST_25) lie within
  0.02 s of that rater's start marker on that video: the default event the scoring tool adds when a file
  is opened, neither a bout nor a marker. They are left out, and a note says how many;
- bouts: rows whose type contains ``behavior`` (case-insensitive); when none does and the table holds one
  behaviour only (the Sturman table's ``Floating``), those rows, with a note.

Alignment: each rater's bouts on a video are moved so that rater's start marker is time 0, so the scored
window (120-360 s of the test by default) means the same minutes for every rater whatever moment each one
pressed the key. A ``Start`` marker is taken when there is one; otherwise, of the combined start/end
markers, the last one at or before the rater's first bout (the Sturman table has stray markers: Rebecca
on FST_3 marks 0.0, 9.7 and 371.7 s and her first bout starts at 62.5 s; Schlappi marks 10.3, 63.3 and
371.9 s), or the first marker when none precedes the first bout. A note names every video where a rater
made more than the two expected markers. A rater with no marker on a video is aligned on the video's
start, with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tracking.evaluation.labels import (
    BEHAVIOR_COLUMNS,
    END_COLUMNS,
    START_COLUMNS,
    VIDEO_COLUMNS,
    LabelFileError,
    bout_times,
    find_column,
    finite_numbers,
    read_label_table,
)
from tracking.evaluation.scorings import Scoring

#: Column names that hold the rater (compared in lower case).
RATER_COLUMNS = ("experimenter", "rater", "observer", "scorer")
_VIDEO_COLUMNS = ("id", *VIDEO_COLUMNS)
_TYPE_COLUMNS = ("type", *BEHAVIOR_COLUMNS)
_START_MARKERS = {"start"}
_END_MARKERS = {"end"}
_BOTH_MARKERS = {"startend"}
_DEFAULT_TYPE = "default"
#: How the bouts of each rater are placed in time, as reports state it.
ALIGNMENT = "each rater's bouts aligned on that rater's own start marker (0 s = the test start)"


@dataclass(frozen=True, eq=False)
class RaterBouts:
    """Each rater's scorings (bouts on the rater's own test clock) and what the reading did, as notes."""

    raters: dict[str, list[Scoring]]
    notes: tuple[str, ...]


def rater_column(path: str | Path, column: str | None = None) -> str | None:
    """The column of a CSV table that names its raters (``column`` when given), or None when it has none."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    names = (column.lower(),) if column else RATER_COLUMNS
    return find_column(read_label_table(path).head(0), names, path, "rater", required=False)


def _kind(value: object) -> str:
    """A row's type without case, spaces or punctuation: 'startend', 'start', 'end', 'default', ..."""
    return re.sub(r"[^a-z]", "", str(value).lower())


def read_rater_bouts(path: str | Path, column: str, *, behavior: str | None = "immobil") -> RaterBouts:
    """Every rater's bouts per video, aligned on the rater's start marker (see the module Notes)."""
    path = Path(path)
    table = read_label_table(path)
    video_col = find_column(table, _VIDEO_COLUMNS, path, "video (ID)")
    start_col = find_column(table, START_COLUMNS, path, "start (from)")
    end_col = find_column(table, END_COLUMNS, path, "end (to)")
    type_col = find_column(table, _TYPE_COLUMNS, path, "type")
    kinds = table[type_col].map(_kind)
    notes = []
    defaults = int((kinds == _DEFAULT_TYPE).sum())
    if defaults:
        notes.append(f"left out {defaults} '_DEFAULT' row(s): the scoring tool's default event, not a bout")
    markers = kinds.isin(_START_MARKERS | _END_MARKERS | _BOTH_MARKERS)
    bouts, note = _bout_rows(table, type_col, ~markers & (kinds != _DEFAULT_TYPE), behavior, path)
    notes += [note] if note else []
    times_of = pd.DataFrame(bout_times(bouts, start_col, end_col, path), index=bouts.index)
    raters: dict[str, list[Scoring]] = {}
    for (rater, video), rows in table.groupby([column, video_col], sort=True):
        name, key = str(rater).strip(), Path(str(video).strip()).stem
        times = times_of.loc[times_of.index.intersection(rows.index)].to_numpy()
        times = times[np.argsort(times[:, 0])] if times.size else np.empty((0, 2))
        marks = rows[markers.loc[rows.index]]
        zero, note = _test_start(marks, kinds, start_col, times, f"{name} on {key}", path)
        notes += [note] if note else []
        raters.setdefault(name, []).append(Scoring(key, "", f"{path.name} ({name})", bouts=times - zero))
    return RaterBouts(raters, tuple(notes))


def _bout_rows(
    table: pd.DataFrame, type_col: str, candidates: pd.Series, behavior: str | None, path: Path
) -> tuple[pd.DataFrame, str | None]:
    """The bout rows: those whose type contains ``behavior``, else the file's only behaviour (with a note)."""
    rows = table[candidates]
    types = rows[type_col].astype(str).str.strip()
    if behavior is None:
        return rows, None
    matching = types.str.lower().str.contains(behavior.lower(), regex=False)
    if matching.any():
        return rows[matching], None
    kinds = sorted(types.unique())
    if len(kinds) == 1:
        return (
            rows,
            f"took the {kinds[0]!r} rows as the bouts (the only behaviour; none matches {behavior!r})",
        )
    raise LabelFileError(
        path, f"no bout of a behaviour matching {behavior!r}; behaviours: {', '.join(kinds)}", field=type_col
    )


def _test_start(
    marks: pd.DataFrame, kinds: pd.Series, start_col: str, bouts: np.ndarray, who: str, path: Path
) -> tuple[float, str | None]:
    """The time of the rater's start marker on one video, and a note when the choice needed one."""
    if marks.empty:
        return 0.0, f"{who}: no start marker; aligned on the video start"
    times = finite_numbers(marks, start_col, path)
    starts = times[kinds.loc[marks.index].isin(_START_MARKERS).to_numpy()]
    if starts.size:
        return float(starts.min()), None
    combined = np.sort(times[~kinds.loc[marks.index].isin(_END_MARKERS).to_numpy()])
    if not combined.size:
        return 0.0, f"{who}: an end marker only; aligned on the video start"
    first_bout = bouts[0, 0] if bouts.size else np.inf
    before = combined[combined <= first_bout]
    zero = float(before[-1] if before.size else combined[0])
    if times.size <= 2:
        return zero, None
    listed = ", ".join(f"{t:.1f}" for t in np.sort(times))
    return zero, f"{who}: {times.size} markers ({listed} s); the test starts at {zero:.1f} s"


__all__ = ["ALIGNMENT", "RATER_COLUMNS", "RaterBouts", "rater_column", "read_rater_bouts"]
