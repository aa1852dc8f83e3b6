"""Scorings of immobility from any source, in one form: human label files and behavlab's own outputs.

A :class:`Scoring` is one scorer's view of one animal in one video: per frame (with frame times), as bouts
in seconds, or only as seconds immobile in a window. :func:`read_scorings` reads

- human labels (:mod:`tracking.evaluation.labels`): per-frame 0/1 tables, bout tables such as BORIS exports,
and
  per-video seconds tables;
- behavlab's outputs: an output folder of ``behavlab score`` or one of its per-video ``<video>.json``
  documents (each animal's frames recomputed from the signal cache with the parameters recorded, so the
  raw signal comes too, for calibration), a ``results.csv`` (seconds), or a per-frame
  ``<video>.<animal>.frames.csv``.

Videos are keyed by their file stem, so ``m1.mp4`` in a BORIS export, ``m1.json`` and ``m1.frames.csv``
name the same video.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracking.batch.documents import (
    DOCUMENT_FORMAT,
    RESULTS_CSV,
    document_outputs,
    load_document,
    load_documents,
    rescore_document,
)
from tracking.evaluation.labels import (
    LabelFileError,
    bouts_to_mask,
    label_kind,
    read_bout_labels,
    read_frame_labels,
    read_seconds_labels,
)
from tracking.rules.immobility import FrameState, frame_durations
from tracking.rules.methods import MethodName
from tracking.rules.presets import ScoringParams
from tracking.rules.summary import time_in

#: Columns that make a CSV behavlab's per-frame output rather than a human per-frame table.
_MACHINE_FRAME_COLUMNS = {"frame", "time_s", "signal", "immobile"}


@dataclass(frozen=True, eq=False)
class Scoring:
    """One scorer's immobility for one animal of one video, per frame, as bouts, or as seconds only.

    ``known`` marks the frames with a state (machine frames without a signal are unknown); ``seconds`` is
    given only by seconds tables, with the window it covers when the table says. Machine scorings carry
    their raw ``signal`` and the ``params`` and ``signal_options`` it was scored with.
    """

    video: str
    animal: str
    source: str
    frames: np.ndarray | None = None
    timestamps: np.ndarray | None = None
    fps: float | None = None
    known: np.ndarray | None = None
    bouts: np.ndarray | None = None
    seconds: float | None = None
    seconds_window: tuple[float, float | None] | None = None
    signal: np.ndarray | None = None
    method: MethodName | None = None
    params: ScoringParams | None = None
    signal_options: Mapping[str, Any] = field(default_factory=dict)
    units: str | None = None

    @property
    def key(self) -> str:
        """``video`` or ``video/animal``: how reports name the scoring."""
        return f"{self.video}/{self.animal}" if self.animal else self.video

    def on_grid(self, timestamps: np.ndarray) -> np.ndarray:
        """Per-frame immobility on frames starting at ``timestamps`` (frames: same count; bouts: by time)."""
        if self.frames is not None:
            if self.frames.size != timestamps.size:
                raise LabelFileError(
                    self.source,
                    f"{self.key} has {self.frames.size} frames where the scoring it is compared with has "
                    f"{timestamps.size}; per-frame scorings must cover the same frames",
                )
            return self.frames.copy()
        if self.bouts is not None:
            return bouts_to_mask(self.bouts, timestamps)
        raise LabelFileError(self.source, f"{self.key} holds seconds only, not frames or bouts")

    def seconds_in(self, start_s: float, end_s: float | None) -> float:
        """Seconds immobile in ``[start_s, end_s)`` (None: to the end), from frames, bouts or the table.

        NaN when no frame of the window has a known state (a machine scoring without signal there).
        """
        if self.frames is not None and self.timestamps is not None and self.fps is not None:
            durations = frame_durations(self.timestamps, self.fps)
            end = end_s if end_s is not None else float(self.timestamps[-1] + durations[-1])
            window = np.array([start_s, end])
            if self.known is not None and not time_in(self.known, self.timestamps, durations, window)[0] > 0:
                return float("nan")
            return float(time_in(self.frames, self.timestamps, durations, window)[0])
        if self.bouts is not None:
            end = end_s if end_s is not None else np.inf
            overlap = np.minimum(self.bouts[:, 1], end) - np.maximum(self.bouts[:, 0], start_s)
            return float(np.clip(overlap, 0, None).sum())
        if self.seconds is not None:
            return float(self.seconds)
        raise LabelFileError(self.source, f"{self.key} holds no immobility")


def read_scorings(
    path: str | Path, *, behavior: str | None = "immobil", label_column: str | None = None
) -> list[Scoring]:
    """Every scoring in a file or folder (see the module docstring); LabelFileError says what is wrong.

    ``behavior`` picks the rows of bout tables (BORIS) whose behaviour contains it (None: all rows);
    ``label_column`` names the label column of a per-frame table.
    """
    path = Path(path)
    if path.is_dir():
        return read_output_folder(path)
    if not path.is_file():
        raise LabelFileError(path, "no such file or folder")
    if path.suffix.lower() == ".json":
        return _machine_scorings(path.parent, load_document(path), path)
    if path.suffix.lower() == ".csv" and _header(path) >= _MACHINE_FRAME_COLUMNS:
        return [_machine_frames_csv(path)]
    kind = label_kind(path, label_column)
    if kind == "bouts":
        return [
            Scoring(labels.video, labels.animal, labels.source, bouts=labels.bouts)
            for labels in read_bout_labels(path, behavior=behavior).values()
        ]
    if kind == "seconds":
        return _seconds_scorings(path)
    labels = read_frame_labels(path, column=label_column)
    return [Scoring(labels.video, "", labels.source, frames=labels.frames)]


def _header(path: Path) -> set[str]:
    try:
        return {str(c).strip().lower() for c in pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns}
    except (ValueError, UnicodeDecodeError, OSError):
        return set()


def _seconds_scorings(path: Path) -> list[Scoring]:
    """A per-video seconds table (behavlab's results.csv included, with the window of each row)."""
    table = read_seconds_labels(path)
    raw = pd.read_csv(path, encoding="utf-8-sig") if path.suffix.lower() == ".csv" else None
    windows: list[tuple[float, float | None] | None] = [None] * len(table)
    if raw is not None and {"window_start_s", "window_end_s"} <= set(raw.columns):
        windows = [
            (float(start), None if pd.isna(end) else float(end))
            for start, end in zip(raw["window_start_s"], raw["window_end_s"], strict=True)
        ]
    rows = zip(table["video"], table["animal"], table["immobility_s"], windows, strict=True)
    return [
        Scoring(str(video), str(animal), str(path), seconds=float(seconds), seconds_window=window)
        for video, animal, seconds, window in rows
    ]


def _machine_frames_csv(path: Path) -> Scoring:
    """Behavlab's per-frame output ``<video>.<animal>.frames.csv``: frame, time_s, signal, immobile, state."""
    labels = read_frame_labels(path, column="immobile")
    table = pd.read_csv(path)
    times = table["time_s"].to_numpy(dtype=np.float64)
    if times.size < 2 or not np.all(np.diff(times) > 0):
        raise LabelFileError(path, "time_s must increase from frame to frame", field="time_s")
    parts = path.name.removesuffix(".frames.csv").rsplit(".", 1)
    video, animal = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")
    known = table["state"].astype(str) != "missing" if "state" in table.columns else None
    return Scoring(
        video,
        animal,
        str(path),
        frames=labels.frames,
        timestamps=times,
        fps=float(1.0 / np.median(np.diff(times))),
        known=None if known is None else known.to_numpy(),
        signal=table["signal"].to_numpy(dtype=np.float64),
    )


def read_output_folder(folder: str | Path) -> list[Scoring]:
    """Every animal of every finished video in a ``behavlab score`` output folder."""
    folder = Path(folder)
    documents = load_documents(folder)
    if not documents:
        if (folder / RESULTS_CSV).is_file():
            return _seconds_scorings(folder / RESULTS_CSV)
        raise LabelFileError(folder, f"no scored videos here (no {DOCUMENT_FORMAT} documents <video>.json)")
    return [scoring for path, document in documents for scoring in _machine_scorings(folder, document, path)]


def _machine_scorings(folder: Path, document: Mapping[str, Any], path: Path) -> list[Scoring]:
    """Each animal of one per-video document, its frames recomputed from the signal cache."""
    try:
        score = rescore_document(folder, document)
    except (ValueError, KeyError, OSError) as error:
        raise LabelFileError(path, f"cannot recompute the scoring from its signal cache: {error}") from error
    stem = document_outputs(folder, document).stem
    scorings = []
    for result in score.animals:
        frames = result.frames
        pose = document["video_info"].get("pose", {}).get(result.animal, {})
        scorings.append(
            Scoring(
                stem,
                result.animal,
                str(path),
                frames=frames.immobile.astype(bool),
                timestamps=frames.time_s,
                fps=float(score.signal.fps),
                known=frames.state != FrameState.MISSING,
                signal=result.raw_signal,
                method=score.method,
                params=score.params,
                signal_options=dict(document["request"].get("signal_options", {})),
                units=pose.get("units"),
            )
        )
    return scorings


__all__ = ["Scoring", "read_output_folder", "read_scorings"]
