"""Calibration: fit the immobility threshold (and minimum bout) of either method to human scores.

The thresholds are fitted over a grid with cross-validation: each held-out part is scored with the
parameters fitted to the rest, so the reported agreement is what a new recording can expect. With
:data:`~tracking.evaluation.agreement.MIN_VIDEOS` recordings or more, the held-out parts are whole recordings
(leave-one-video-out); with one or two labelled recordings, each is cut into ``DEFAULT_TIME_BLOCKS``
contiguous blocks of equal duration and fold ``k`` holds out block ``k`` of every recording. The parameters
fitted to all the data are returned as a :class:`~tracking.rules.presets.ScoringParams` to save with
:func:`tracking.rules.presets.save_preset`.

Notes
-----
DBscorer (Bruce et al. 2021) fits its threshold to a few hand-scored videos; ezTrack (Pennington et al.
2019) tunes threshold and minimum duration by eye against a rater. Here the objective is Cohen's kappa over
all labelled frames of the training parts (chance-corrected, so a threshold calling every frame immobile in
a mostly immobile video gains nothing), optionally ignoring frames within ``tolerance_s`` of a human
transition; with per-video seconds only, it is the mean absolute difference of seconds in the scored window.
Where several grid points reach the best objective (a plateau: any threshold between two populations of the
signal separates them equally), the minimum bout closest to the base preset's and the middle of the plateau
are taken, which is the choice least sensitive to where the grid points fall.

Recordings made at different frame rates are first put on one time base (:mod:`.timebase`), so each
weighs by its duration. Time blocks are contiguous, never interleaved frames: neighbouring frames are
nearly copies, and a fold trained on a frame's neighbours would measure memory, not agreement. The machine
scores the whole recording (a minimum bout may look across a block's edge at the signal, never at labels).
Pearson r and Bland-Altman need ``MIN_VIDEOS`` videos (with two, r is +-1 whatever the agreement).
Per-frame intervals resample the held-out parts whole: videos, or time blocks (:mod:`.agreement`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from tracking.evaluation.agreement import (
    MIN_VIDEOS,
    FrameAgreement,
    SecondsAgreement,
    bootstrap_frame_agreement,
    seconds_agreement,
    transition_mask,
)
from tracking.evaluation.intervals import count_statistics
from tracking.evaluation.timebase import to_time_base
from tracking.rules.immobility import classify_frames, frame_durations, smooth_signal, validate_signal
from tracking.rules.presets import ScoringParams, with_overrides
from tracking.rules.summary import time_in

Objective = Literal["kappa", "accuracy", "f1", "seconds"]
#: Minimum bouts tried by default (s): the range tools use, 0.5 s (ezTrack) to 2 s.
DEFAULT_MIN_BOUTS = (0.5, 0.75, 1.0, 1.5, 2.0)
DEFAULT_GRID_POINTS = 120
#: Contiguous blocks per recording when there are too few recordings to leave one out.
DEFAULT_TIME_BLOCKS = 5


@dataclass(frozen=True, eq=False)
class CalibrationVideo:
    """One human-scored video: its per-frame signal and either per-frame labels or immobility seconds."""

    name: str
    signal: np.ndarray
    fps: float
    labels: np.ndarray | None = None
    human_s: float | None = None
    timestamps: np.ndarray | None = None

    def __post_init__(self) -> None:
        values, times = validate_signal(self.signal, self.timestamps, self.fps)
        object.__setattr__(self, "signal", values)
        object.__setattr__(self, "timestamps", times)
        if self.labels is None and self.human_s is None:
            raise ValueError(f"video {self.name!r}: give per-frame labels or human_s")
        if self.labels is not None:
            labels = np.asarray(self.labels, dtype=bool)
            if labels.shape != values.shape:
                raise ValueError(
                    f"video {self.name!r}: {labels.size} labelled frames for a signal of {values.size} frames"
                )
            object.__setattr__(self, "labels", labels)


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Fitted parameters, the cross-validated agreement per held-out part, per video and pooled, with CIs.

    ``folds`` has a row per held-out part (a video, or a time block of one); ``videos`` the held-out seconds
    summed per video, whose statistics ``seconds`` holds (NaN below ``MIN_VIDEOS`` videos).
    """

    params: ScoringParams
    folds: pd.DataFrame
    pooled: FrameAgreement | None
    seconds: SecondsAgreement
    fit: dict[str, Any] = field(default_factory=dict)
    videos: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: fitted parameters, fit settings, pooled and per-fold agreement with CIs."""
        return {
            "params": self.params.to_dict(),
            "fit": self.fit,
            "cross_validated": {
                "frames": self.pooled.to_dict() if self.pooled is not None else None,
                "seconds": self.seconds.to_dict() if self.seconds.enough_videos else None,
                "videos": self.videos.to_dict(orient="records"),
                "folds": self.folds.to_dict(orient="records"),
            },
        }


def threshold_grid(signals: Sequence[np.ndarray], n: int = DEFAULT_GRID_POINTS) -> np.ndarray:
    """``n`` thresholds spaced evenly on a log scale across the pooled positive signal (0.5th-99.5th pct)."""
    pooled = np.concatenate([np.asarray(s, dtype=np.float64).ravel() for s in signals])
    positive = pooled[np.isfinite(pooled) & (pooled > 0)]
    if positive.size < 2 or positive.min() == positive.max():
        raise ValueError("the signals have fewer than two distinct positive values: nothing to calibrate")
    low, high = np.quantile(positive, [0.005, 0.995])
    return np.geomspace(low, high, n)


@dataclass(frozen=True, eq=False)
class _Table:
    """One held-out part (a video or a block of one) and its figures per grid point (min bout, threshold).

    ``counts`` are its confusion counts and ``machine_s`` its machine seconds in the scored window.
    """

    video: str
    block: int | None
    start_s: float
    end_s: float
    counts: np.ndarray
    machine_s: np.ndarray
    human_s: float
    ignored: int


def _tabulate(
    video: CalibrationVideo,
    base: ScoringParams,
    thresholds: np.ndarray,
    min_bouts: Sequence[float],
    tolerance_s: float,
    n_blocks: int | None,
) -> list[_Table]:
    """The tables of one video: one for the whole video (``n_blocks`` None) or one per time block."""
    times = video.timestamps
    assert times is not None
    durations = frame_durations(times, video.fps)
    edges = np.linspace(float(times[0]), float(times[-1] + durations[-1]), (n_blocks or 1) + 1)
    end = base.window_end_s if base.window_end_s is not None else float(edges[-1])
    in_window = np.clip(edges, base.window_start_s, max(end, base.window_start_s))
    block = np.clip(np.searchsorted(edges, times, side="right") - 1, 0, edges.size - 2)
    parts = edges.size - 1
    labels = video.labels
    counted = block.copy()
    if labels is not None:
        counted[transition_mask(labels, times, tolerance_s)] = -1
    scored = smooth_signal(video.signal, video.fps, base.smooth_s)
    counts = np.zeros((parts, len(min_bouts), thresholds.size, 4), dtype=np.int64)
    machine_s = np.zeros((parts, len(min_bouts), thresholds.size))
    for i, min_bout in enumerate(min_bouts):
        for j, threshold in enumerate(thresholds):
            immobile = classify_frames(
                scored,
                times,
                fps=video.fps,
                threshold=float(threshold),
                min_bout_s=float(min_bout),
                max_nan_gap_s=base.max_nan_gap_s,
            ).immobile
            machine_s[:, i, j] = time_in(immobile, times, durations, in_window)
            if labels is not None:
                cell = (~labels).astype(np.int64) + 2 * (~immobile).astype(np.int64)
                kept = counted >= 0
                counts[:, i, j] = np.bincount(counted[kept] * 4 + cell[kept], minlength=4 * parts).reshape(
                    parts, 4
                )
    if labels is not None:
        human = time_in(labels, times, durations, in_window)
        ignored = np.bincount(block[counted < 0], minlength=parts)
    else:
        human, ignored = np.array([float(video.human_s or 0.0)]), np.zeros(1, dtype=np.int64)
    return [
        _Table(
            video.name,
            k if n_blocks else None,
            float(edges[k]),
            float(edges[k + 1]),
            counts[k],
            machine_s[k],
            float(human[k]),
            int(ignored[k]),
        )
        for k in range(parts)
    ]


def _score(tables: Sequence[_Table], objective: Objective) -> np.ndarray:
    """Objective per grid point over some held-out parts (higher is better)."""
    if objective == "seconds":
        errors = np.stack([np.abs(t.machine_s - t.human_s) for t in tables])
        mean_error: np.ndarray = errors.mean(axis=0)
        return -mean_error
    return count_statistics(np.sum([t.counts for t in tables], axis=0))[objective]


def _best(score: np.ndarray, min_bouts: Sequence[float], preferred_bout: float) -> tuple[int, int]:
    """Best grid point: among ties, the bout nearest ``preferred_bout`` and the mid-plateau threshold."""
    best = np.nanmax(score)
    ties = np.isclose(score, best, rtol=0, atol=1e-12)
    rows = np.flatnonzero(ties.any(axis=1))
    row = int(rows[np.argmin([abs(min_bouts[int(r)] - preferred_bout) for r in rows])])
    columns = np.flatnonzero(ties[row])
    return row, int(columns[(columns.size - 1) // 2])


def _common_time_base(videos: Sequence[CalibrationVideo]) -> tuple[list[CalibrationVideo], dict[str, Any]]:
    """The videos on the grid of the lowest frame rate among them, and the record of that time base."""
    grid_fps = min(float(v.fps) for v in videos)
    record = {
        "fps": grid_fps,
        "video_fps": {v.name: float(v.fps) for v in videos},
        "signal": "mean over each frame of the common grid",
        "labels": "majority over each frame of the common grid (a tie: the first frame)",
    }
    moved = []
    for video in videos:
        assert video.timestamps is not None
        signal, times, labels = to_time_base(
            video.signal, video.timestamps, video.fps, video.labels, grid_fps
        )
        if signal is video.signal:
            moved.append(video)
        else:
            moved.append(CalibrationVideo(video.name, signal, grid_fps, labels, video.human_s, times))
    return moved, record


def _held_out_cells(
    tables: Sequence[_Table], by_block: bool, objective: Objective, bouts: Sequence[float], preferred: float
) -> list[tuple[int, int]]:
    """Per held-out part, the grid point fitted to the parts of the other folds (other blocks or videos)."""
    fold_of: list[Hashable] = [t.block if by_block else t.video for t in tables]
    cells = {
        fold: _best(
            _score([t for t, f in zip(tables, fold_of, strict=True) if f != fold], objective),
            bouts,
            preferred,
        )
        for fold in dict.fromkeys(fold_of)
    }
    return [cells[fold] for fold in fold_of]


def calibrate(
    videos: Sequence[CalibrationVideo],
    base: ScoringParams,
    *,
    name: str,
    thresholds: np.ndarray | None = None,
    min_bouts: Sequence[float] | None = DEFAULT_MIN_BOUTS,
    objective: Objective | None = None,
    tolerance_s: float = 0.0,
    n_blocks: int = DEFAULT_TIME_BLOCKS,
) -> CalibrationResult:
    """Fit threshold and minimum bout to human scores, cross-validated by video or by time block.

    ``base`` supplies everything else (method, smoothing, window...); ``min_bouts=None`` keeps its minimum
    bout. ``objective`` defaults to ``kappa`` when every video has per-frame labels, else ``seconds``. With
    fewer than ``MIN_VIDEOS`` videos with per-frame labels, the folds are ``n_blocks``
    contiguous time blocks. Returns the parameters fitted to all the data, named ``name``.
    """
    objective = _objective(videos, objective, n_blocks)
    framewise = _framewise(videos)
    names = [v.name for v in videos]
    videos, time_base = _common_time_base(videos)
    blocks = n_blocks if framewise and len(videos) < MIN_VIDEOS else None
    bouts = list(min_bouts) if min_bouts is not None else [base.min_bout_s]
    grid = (
        np.asarray(thresholds, dtype=np.float64)
        if thresholds is not None
        else threshold_grid([smooth_signal(v.signal, v.fps, base.smooth_s) for v in videos])
    )
    tables = [table for v in videos for table in _tabulate(v, base, grid, bouts, tolerance_s, blocks)]
    held_out = _held_out_cells(tables, blocks is not None, objective, bouts, base.min_bout_s)
    folds = pd.DataFrame(
        [_fold_row(t, cell, grid, bouts, framewise) for t, cell in zip(tables, held_out, strict=True)]
    )
    per_video = folds.groupby("video", sort=False)[["human_s", "machine_s"]].sum().reset_index()
    seconds = seconds_agreement(per_video["human_s"].tolist(), per_video["machine_s"].tolist())
    units = [
        _agreement(t.counts[i, j], t.ignored, tolerance_s) for t, (i, j) in zip(tables, held_out, strict=True)
    ]
    pooled = bootstrap_frame_agreement(units, "time blocks" if blocks else "videos") if framewise else None
    i, j = _best(_score(tables, objective), bouts, base.min_bout_s)
    scheme = f"time-blocked ({blocks} contiguous blocks per video)" if blocks else "leave-one-video-out"
    fit = {
        "objective": objective,
        "tolerance_s": float(tolerance_s),
        "n_videos": len(videos),
        "videos": names,
        "threshold_grid": [float(grid[0]), float(grid[-1]), int(grid.size)],
        "min_bouts": [float(b) for b in bouts],
        "base_preset": base.name,
        "time_base": time_base,
        "cross_validation": {
            "scheme": scheme,
            "n_blocks": blocks,
            "block_s": {t.video: t.end_s - t.start_s for t in tables} if blocks else None,
            "min_videos_for_video_statistics": MIN_VIDEOS,
        },
    }
    params = with_overrides(
        base,
        name=name,
        threshold=float(grid[j]),
        min_bout_s=float(bouts[i]),
        source=_source(base, names, objective, tolerance_s, scheme, pooled, seconds),
    )
    return CalibrationResult(params, folds, pooled, seconds, fit, per_video)


def _source(
    base: ScoringParams,
    names: Sequence[str],
    objective: Objective,
    tolerance_s: float,
    scheme: str,
    pooled: FrameAgreement | None,
    seconds: SecondsAgreement,
) -> str:
    """The preset's source line: what it was fitted from and how well it held out."""
    figures = [f"kappa {pooled.kappa:.3f}"] if pooled is not None else []
    if seconds.enough_videos:
        figures += [f"Pearson r {seconds.pearson_r:.3f}", f"Bland-Altman bias {seconds.bias:+.2f} s"]
    return (
        f"Calibrated from {base.name!r} ({base.method}) on {len(names)} human-scored videos "
        f"({', '.join(names)}), objective {objective}, tolerance {tolerance_s:g} s; {scheme}"
        + (f" {', '.join(figures)}." if figures else ".")
    )


def _framewise(videos: Sequence[CalibrationVideo]) -> bool:
    """True when every video has per-frame labels."""
    return all(v.labels is not None for v in videos)


def _objective(videos: Sequence[CalibrationVideo], objective: Objective | None, n_blocks: int) -> Objective:
    """The objective to fit (default: kappa with per-frame labels, else seconds); ValueError for bad input."""
    if not videos:
        raise ValueError("calibration needs at least one human-scored video")
    framewise = _framewise(videos)
    if len(videos) < 2 and not framewise:
        raise ValueError(
            "one video scored in seconds only cannot be cross-validated; give its per-frame labels or bouts "
            "(it is then cut into time blocks), or the seconds of at least two videos"
        )
    if n_blocks < 2:
        raise ValueError(f"cross-validation over time blocks needs at least two blocks, got {n_blocks}")
    names = [v.name for v in videos]
    if len(set(names)) != len(names):
        raise ValueError(f"video names must be unique: {', '.join(names)}")
    chosen: Objective = objective or ("kappa" if framewise else "seconds")
    if chosen != "seconds" and not framewise:
        raise ValueError(f"objective {chosen!r} needs per-frame labels for every video; use 'seconds'")
    return chosen


def _agreement(counts: np.ndarray, ignored: int, tolerance_s: float) -> FrameAgreement:
    """Frame agreement from confusion counts: true and false positives, false and true negatives."""
    tp, fp, fn, tn = (int(c) for c in counts)
    return FrameAgreement(tp, fp, fn, tn, ignored, {"tolerance_s": tolerance_s})


def _fold_row(
    table: _Table, cell: tuple[int, int], grid: np.ndarray, bouts: Sequence[float], framewise: bool
) -> dict[str, Any]:
    """One held-out part's row: where it lies, the parameters fitted without it, its agreement and seconds."""
    i, j = cell
    row: dict[str, Any] = {
        "video": table.video,
        "block": None if table.block is None else table.block + 1,
        "start_s": table.start_s,
        "end_s": table.end_s,
        "threshold": float(grid[j]),
        "min_bout_s": float(bouts[i]),
    }
    if framewise:
        row.update(_agreement(table.counts[i, j], table.ignored, 0.0).to_dict())
    row.update(human_s=table.human_s, machine_s=float(table.machine_s[i, j]))
    return row
