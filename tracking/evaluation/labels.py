"""Human immobility labels: per-frame 0/1 tables, bout tables (e.g. BORIS exports), per-video seconds.

Every reader returns :class:`HumanLabels` (one per video) or a seconds table, and raises
:class:`LabelFileError` naming the file, the row (1-based, counting the header as row 1) and the field, and
what would be accepted. :meth:`HumanLabels.to_frames` turns bouts into a per-frame boolean on the frames of a
scored signal, so labels and machine scores compare frame by frame.

Notes
-----
BORIS (Friard & Gamba 2016, Methods Ecol. Evol. 7:1325) exports state events as "aggregated events", one row
per bout, with the columns ``Observation id``, ``Subject``, ``Behavior``, ``Behavior type``, ``Start (s)``,
``Stop (s)``, ``Duration (s)`` and the media file (``Media file name`` in recent versions, ``Media file``
before). Any table with start and end columns in seconds works the same way (``start_s``/``end_s``,
``start``/``end`` or ``stop``).

A per-frame table's label column is the one named by the caller; else the first of the usual names
(``immobile``, ``immobility``, ``label``, ``freezing``, ``state``: behavlab's own output among them); else the
one column besides the frame and time columns holding only 0/1 values (true/false, yes/no...), whatever its
name (BehaviorDEPOT writes ``human_freezing``). Several such columns are refused, naming them: guessing
which is the person's and which a program's would silently compare the wrong scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from tracking.errors import TrackingError

_FRAME_COLUMNS = ("immobile", "immobility", "label", "freezing", "state")
#: Columns of a per-frame table that say which frame a row is, never what the animal does.
_INDEX_COLUMNS = ("frame", "frames", "frame_index", "index", "time", "time_s", "timestamp", "t")
#: Column names (lower case, in order of preference) of a bout table's start, end, video and behaviour.
START_COLUMNS = ("start_s", "start (s)", "start", "onset", "from")
END_COLUMNS = ("end_s", "stop (s)", "stop_s", "end", "stop", "offset", "to")
VIDEO_COLUMNS = ("video", "media file name", "media file", "observation id", "file")
BEHAVIOR_COLUMNS = ("behavior", "behaviour", "event")
_SECONDS_COLUMNS = ("immobility_s", "immobile_s", "immobility", "seconds")
_ANIMAL_COLUMNS = ("animal", "subject")
_TRUE = {"1", "1.0", "true", "yes", "immobile", "immobility"}
_FALSE = {"0", "0.0", "false", "no", "mobile", "swimming", "climbing"}


class LabelFileError(TrackingError, ValueError):
    """A label file that cannot be used; the message names the file, row and field, and what is accepted."""

    def __init__(
        self, path: str | Path, problem: str, *, row: int | None = None, field: str | None = None
    ) -> None:
        self.path, self.row, self.field, self.problem = str(path), row, field, problem
        where = "".join([f", row {row}" if row is not None else "", f", field {field!r}" if field else ""])
        super().__init__(f"{path}{where}: {problem}")


@dataclass(frozen=True, eq=False)
class HumanLabels:
    """One rater's immobility labels for one video: per frame (``frames``) or as bouts in seconds."""

    video: str
    source: str
    frames: np.ndarray | None = None
    bouts: np.ndarray | None = None
    animal: str = ""

    def to_frames(self, n_frames: int, fps: float, timestamps: np.ndarray | None = None) -> np.ndarray:
        """Per-frame immobility (bool, ``n_frames``): frame ``i`` is immobile if a bout covers its start time.

        Per-frame labels must have exactly ``n_frames`` entries. Bouts use the frames' ``timestamps`` (default
        ``arange(n_frames) / fps``): a bout ``[start, end)`` covers the frames whose start time lies in it.
        """
        if self.frames is not None:
            if self.frames.size != n_frames:
                raise LabelFileError(
                    self.source, f"{self.frames.size} labelled frames for a signal of {n_frames} frames"
                )
            return self.frames.copy()
        times = np.arange(n_frames) / fps if timestamps is None else np.asarray(timestamps, dtype=np.float64)
        return bouts_to_mask(self.bouts if self.bouts is not None else np.empty((0, 2)), times)

    def immobility_s(self, start_s: float, end_s: float, fps: float) -> float:
        """Seconds labelled immobile in ``[start_s, end_s)``: bout overlap, or immobile frames x 1 / fps."""
        if self.bouts is not None:
            overlap = np.clip(
                np.minimum(self.bouts[:, 1], end_s) - np.maximum(self.bouts[:, 0], start_s), 0, None
            )
            return float(overlap.sum())
        frames = self.frames if self.frames is not None else np.zeros(0, dtype=bool)
        times = np.arange(frames.size) / fps
        return float(frames[(times >= start_s) & (times < end_s)].sum() / fps)


def bouts_to_mask(bouts: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
    """Boolean per frame: True where the frame's start time lies in one of the ``(start, end)`` bouts."""
    bouts = np.asarray(bouts, dtype=np.float64).reshape(-1, 2)
    mask = np.zeros(timestamps.size, dtype=bool)
    for start, end in bouts:
        mask |= (timestamps >= start) & (timestamps < end)
    return mask


def read_label_table(path: str | Path) -> pd.DataFrame:
    """A label table (CSV, TSV or Excel) with stripped column names; LabelFileError when it cannot be read.

    A CSV whose header holds semicolons and no comma is read as semicolon-separated (a European spreadsheet's
    CSV, Sturman et al. 2020's ``AllFSTLables.csv``).
    """
    path = Path(path)
    if not path.is_file():
        raise LabelFileError(path, "no such file")
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            table = pd.read_excel(path)
        else:
            table = pd.read_csv(path, sep=_separator(path), encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError) as error:
        raise LabelFileError(path, f"cannot read the table ({error}); expected CSV, TSV or Excel") from error
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _separator(path: Path) -> str:
    """Tab for .tsv and .txt; else a semicolon when the header has semicolons and no comma, else a comma."""
    if path.suffix.lower() in (".tsv", ".txt"):
        return "\t"
    with path.open(encoding="utf-8-sig", errors="replace") as file:
        header = file.readline()
    return ";" if ";" in header and "," not in header else ","


@overload
def find_column(
    table: pd.DataFrame, names: Sequence[str], path: str | Path, what: str, *, required: Literal[True] = True
) -> str: ...


@overload
def find_column(
    table: pd.DataFrame, names: Sequence[str], path: str | Path, what: str, *, required: Literal[False]
) -> str | None: ...


def find_column(
    table: pd.DataFrame, names: Sequence[str], path: str | Path, what: str, *, required: bool = True
) -> str | None:
    """The column matching one of ``names`` (case-insensitive); LabelFileError if required and absent."""
    lower = {c.lower(): c for c in table.columns}
    for name in names:
        if name in lower:
            return lower[name]
    if required:
        raise LabelFileError(
            path, f"no {what} column; accepted names: {', '.join(names)}; found: {', '.join(table.columns)}"
        )
    return None


def finite_numbers(table: pd.DataFrame, column: str, path: str | Path) -> np.ndarray:
    """A column as float64; LabelFileError naming the first row and field that is not a number.

    Rows are numbered from the table's index as read (a filtered table keeps its file's row numbers).
    """
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise LabelFileError(
            path,
            f"{str(table[column].iloc[bad[0]])!r} is not a finite number",
            row=int(table.index[bad[0]]) + 2,
            field=column,
        )
    return values


def _binary_columns(table: pd.DataFrame) -> list[str]:
    """The columns, frame and time columns aside, whose every value reads as a label (0/1, yes/no...)."""
    accepted = _TRUE | _FALSE
    return [
        name
        for name in table.columns
        if name.lower() not in _INDEX_COLUMNS
        and not name.lower().startswith("unnamed:")
        and len(table)
        and table[name].astype(str).str.strip().str.lower().isin(accepted).all()
    ]


def _label_column(table: pd.DataFrame, path: str | Path, column: str | None) -> str:
    """The per-frame label column (module Notes); LabelFileError when there is none or several could be."""
    found = ", ".join(table.columns)
    if column is not None:
        lower = {c.lower(): c for c in table.columns}
        if column.lower() not in lower:
            raise LabelFileError(path, f"no column {column!r} (the label column asked for); found: {found}")
        return lower[column.lower()]
    named = find_column(table, _FRAME_COLUMNS, path, "per-frame label", required=False)
    if named is not None:
        return named
    candidates = _binary_columns(table)
    if len(candidates) > 1:
        raise LabelFileError(
            path,
            f"several 0/1 columns could be the label ({', '.join(candidates)}); choose one with "
            "--label-column NAME",
        )
    if not candidates:
        raise LabelFileError(
            path,
            "no per-frame label column: expected one 0/1 column besides the frame and time columns, or one "
            f"named {', '.join(_FRAME_COLUMNS)} (accepted names); found: {found}",
        )
    return candidates[0]


def read_frame_labels(
    path: str | Path, *, column: str | None = None, video: str | None = None
) -> HumanLabels:
    """Per-frame labels: a table with one row per frame and a 0/1 label column (module Notes: which).

    Rows are frames in order; a ``frame`` column, when present, must count 0, 1, 2... The values accepted
    are 0/1, true/false, yes/no, immobile/mobile. behavlab's own per-frame output
    (``<video>.<animal>.frames.csv``) is accepted, so two machine scorings compare like two raters.
    ``column`` names the label column (any case).
    """
    table = read_label_table(path)
    name = _label_column(table, path, column)
    frame_col = find_column(table, ("frame",), path, "frame", required=False)
    if frame_col is not None:
        frames = finite_numbers(table, frame_col, path)
        wrong = np.flatnonzero(frames != np.arange(frames.size))
        if wrong.size:
            raise LabelFileError(
                path,
                f"frame {frames[wrong[0]]:g} where {wrong[0]} was expected (frames must count from 0)",
                row=int(wrong[0]) + 2,
                field=frame_col,
            )
    text = table[name].astype(str).str.strip().str.lower()
    values = np.where(text.isin(_TRUE), 1, np.where(text.isin(_FALSE), 0, -1))
    bad = np.flatnonzero(values < 0)
    if bad.size:
        raise LabelFileError(
            path,
            f"{str(table[name].iloc[bad[0]])!r} is not a label; accepted: 0/1, true/false, yes/no, "
            "immobile/mobile",
            row=int(bad[0]) + 2,
            field=name,
        )
    return HumanLabels(video or _video_name(path), str(path), frames=values.astype(bool))


def read_bout_labels(
    path: str | Path, *, behavior: str | None = "immobil", video: str | None = None
) -> dict[str, HumanLabels]:
    """Bout tables (one row per bout, start and end in seconds; BORIS aggregated events): labels per video.

    Rows whose behaviour column (when there is one) does not contain ``behavior`` (case-insensitive; None:
    keep all) are other behaviours and are skipped. With a video column (``video``, BORIS' media file or
    observation id) the bouts are grouped per video (keyed by the file stem), else all belong to ``video``
    (default: the label file's stem). With a ``subject``/``animal`` column, the key is ``video/animal``.
    """
    table = read_label_table(path)
    start_col = find_column(table, START_COLUMNS, path, "bout start (seconds)")
    end_col = find_column(table, END_COLUMNS, path, "bout end (seconds)")
    behavior_col = find_column(table, BEHAVIOR_COLUMNS, path, "behaviour", required=False)
    if behavior_col is not None and behavior is not None:
        keep = _text(table[behavior_col]).str.lower().str.contains(behavior.lower(), regex=False)
        if not keep.any():
            found = ", ".join(sorted(table[behavior_col].astype(str).unique()))
            raise LabelFileError(
                path, f"no bout of a behaviour matching {behavior!r}; behaviours: {found}", field=behavior_col
            )
        table = table[keep]
    times = bout_times(table, start_col, end_col, path)
    starts, ends = times[:, 0], times[:, 1]
    video_col = find_column(table, VIDEO_COLUMNS, path, "video", required=False)
    animal_col = find_column(table, _ANIMAL_COLUMNS, path, "animal", required=False)
    videos = (
        table[video_col].astype(str).map(_video_name)
        if video_col
        else pd.Series(video or _video_name(path), index=table.index)
    )
    animals = _text(table[animal_col]) if animal_col else pd.Series("", index=table.index)
    labels = {}
    for (name, animal), group in pd.DataFrame({"v": videos, "a": animals}).groupby(["v", "a"], sort=True):
        positions = table.index.get_indexer(group.index)
        bouts = np.column_stack([starts[positions], ends[positions]])
        key = f"{name}/{animal}" if animal else str(name)
        labels[key] = HumanLabels(
            str(name), str(path), bouts=bouts[np.argsort(bouts[:, 0])], animal=str(animal)
        )
    return labels


def bout_times(table: pd.DataFrame, start_col: str, end_col: str, path: str | Path) -> np.ndarray:
    """The bouts of a table's rows as ``(n, 2)`` seconds; LabelFileError naming a bout that is not one.

    Every start and end must be a number, the start >= 0 and the end after it.
    """
    starts, ends = finite_numbers(table, start_col, path), finite_numbers(table, end_col, path)
    bad = np.flatnonzero((ends <= starts) | (starts < 0))
    if bad.size:
        raise LabelFileError(
            path,
            f"bout from {starts[bad[0]]:g} s to {ends[bad[0]]:g} s: the end must follow the start (>= 0)",
            row=int(table.index[bad[0]]) + 2,
            field=end_col,
        )
    return np.column_stack([starts, ends])


def read_seconds_labels(path: str | Path) -> pd.DataFrame:
    """Per-video immobility seconds: a table with ``video``, optional ``animal``, and ``immobility_s``."""
    table = read_label_table(path)
    video_col = find_column(table, VIDEO_COLUMNS, path, "video")
    seconds_col = find_column(table, _SECONDS_COLUMNS, path, "immobility seconds")
    seconds = finite_numbers(table, seconds_col, path)
    negative = np.flatnonzero(seconds < 0)
    if negative.size:
        raise LabelFileError(
            path, f"{seconds[negative[0]]:g} s is negative", row=int(negative[0]) + 2, field=seconds_col
        )
    animal_col = find_column(table, _ANIMAL_COLUMNS, path, "animal", required=False)
    return pd.DataFrame(
        {
            "video": table[video_col].astype(str).map(_video_name),
            "animal": _text(table[animal_col]) if animal_col else "",
            "immobility_s": seconds,
        }
    )


def label_kind(path: str | Path, column: str | None = None) -> Literal["frames", "bouts", "seconds"]:
    """What a label table holds, from its columns: bouts (start and end), per-video seconds, or frames.

    A table with the label ``column`` asked for, a usually named label column or any 0/1 column is frames.
    """
    table = read_label_table(path)
    columns = {c.lower() for c in table.columns}
    if column is not None and column.lower() in columns:
        return "frames"
    if columns & set(START_COLUMNS) and columns & set(END_COLUMNS):
        return "bouts"
    if columns & set(_SECONDS_COLUMNS) and columns & set(VIDEO_COLUMNS):
        return "seconds"
    if columns & set(_FRAME_COLUMNS) or _binary_columns(table):
        return "frames"
    raise LabelFileError(
        path,
        "not a label table: expected bout start and end columns (e.g. BORIS 'Start (s)', 'Stop (s)'), "
        f"per-video seconds ({', '.join(VIDEO_COLUMNS[:1] + _SECONDS_COLUMNS[:1])}) or a per-frame 0/1 "
        f"column (any name, or --label-column NAME); found: {', '.join(table.columns)}",
    )


def _text(column: pd.Series) -> pd.Series:
    """A column as text, empty where the cell is blank (a blank BORIS subject is no subject, not "nan")."""
    return column.astype("string").fillna("").astype(str)


def _video_name(path: str | Path) -> str:
    """A video's key: its file stem (``/data/m1.mp4`` -> ``m1``)."""
    return Path(str(path).replace("\\", "/")).stem
