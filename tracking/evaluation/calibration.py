"""Calibration: fit the immobility threshold (and minimum bout) of either method to human scores.

The thresholds are fitted over a grid to several human-scored videos at once, with leave-one-video-out
cross-validation: each video is scored with the parameters fitted to the others and compared with its
human labels, so the reported agreement is what a new video can expect, not how well the grid fits the
videos it saw. The parameters fitted to all videos are returned as a
:class:`~tracking.rules.presets.ScoringParams`
to save with :func:`tracking.rules.presets.save_preset`.

Notes
-----
DBscorer (Bruce et al. 2021) fits its threshold to a few hand-scored videos; ezTrack (Pennington et al.
2019) tunes threshold and minimum duration by eye against a rater. Here the objective is Cohen's kappa over
all labelled frames of the training videos (chance-corrected, so a threshold calling every frame immobile in
a mostly immobile video gains nothing), optionally ignoring frames within ``tolerance_s`` of a human
transition; with per-video seconds only, it is the mean absolute difference of seconds in the scored window.
Where several grid points reach the best objective (a plateau: any threshold between two populations of the
signal separates them equally), the minimum bout closest to the base preset's and the middle of the plateau
are taken, which is the choice least sensitive to where the grid points fall.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from tracking.evaluation.agreement import FrameAgreement, SecondsAgreement, frame_agreement, seconds_agreement
from tracking.rules.immobility import classify_frames, frame_durations, smooth_signal, validate_signal
from tracking.rules.presets import ScoringParams, with_overrides
from tracking.rules.summary import time_in

Objective = Literal["kappa", "accuracy", "f1", "seconds"]
#: Minimum bouts tried by default (s): the range tools use, 0.5 s (ezTrack) to 2 s.
DEFAULT_MIN_BOUTS = (0.5, 0.75, 1.0, 1.5, 2.0)
DEFAULT_GRID_POINTS = 120


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
    """Fitted parameters, and the cross-validated agreement per held-out video and pooled."""

    params: ScoringParams
    folds: pd.DataFrame
    pooled: FrameAgreement | None
    seconds: SecondsAgreement
    fit: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: fitted parameters, fit settings, pooled and per-fold agreement."""
        return {
            "params": self.params.to_dict(),
            "fit": self.fit,
            "cross_validated": {
                "frames": self.pooled.to_dict() if self.pooled is not None else None,
                "seconds": self.seconds.to_dict(),
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
    """Per grid point (min bout, threshold) of one video: confusion counts, machine seconds in the window."""

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
) -> _Table:
    times = video.timestamps
    assert times is not None
    durations = frame_durations(times, video.fps)
    end = base.window_end_s if base.window_end_s is not None else float(times[-1] + durations[-1])
    window = np.array([base.window_start_s, end])
    scored = smooth_signal(video.signal, video.fps, base.smooth_s)
    counts = np.zeros((len(min_bouts), thresholds.size, 4), dtype=np.int64)
    machine_s = np.zeros((len(min_bouts), thresholds.size))
    ignored = 0
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
            machine_s[i, j] = time_in(immobile, times, durations, window)[0]
            if video.labels is not None:
                agreement = frame_agreement(video.labels, immobile, timestamps=times, tolerance_s=tolerance_s)
                ignored = agreement.n_ignored
                counts[i, j] = (
                    agreement.true_positive,
                    agreement.false_positive,
                    agreement.false_negative,
                    agreement.true_negative,
                )
    if video.human_s is not None:
        human_s = float(video.human_s)
    else:
        assert video.labels is not None
        human_s = float(time_in(video.labels, times, durations, window)[0])
    return _Table(counts, machine_s, human_s, ignored)


def _score(tables: Sequence[_Table], objective: Objective) -> np.ndarray:
    """Objective per grid point over some videos (higher is better)."""
    if objective == "seconds":
        errors = np.stack([np.abs(t.machine_s - t.human_s) for t in tables])
        mean_error: np.ndarray = errors.mean(axis=0)
        return -mean_error
    counts = np.sum([t.counts for t in tables], axis=0)
    tp, fp, fn, tn = np.moveaxis(counts, -1, 0).astype(np.float64)
    n = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        if objective == "accuracy":
            accuracy: np.ndarray = (tp + tn) / n
            return accuracy
        if objective == "f1":
            f1: np.ndarray = 2 * tp / (2 * tp + fp + fn)
            return f1
        observed = (tp + tn) / n
        chance = ((tp + fn) * (tp + fp) + (fp + tn) * (fn + tn)) / n**2
        return np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)


def _best(score: np.ndarray, min_bouts: Sequence[float], preferred_bout: float) -> tuple[int, int]:
    """Best grid point: among ties, the bout nearest ``preferred_bout`` and the mid-plateau threshold."""
    best = np.nanmax(score)
    ties = np.isclose(score, best, rtol=0, atol=1e-12)
    rows = np.flatnonzero(ties.any(axis=1))
    row = int(rows[np.argmin([abs(min_bouts[int(r)] - preferred_bout) for r in rows])])
    columns = np.flatnonzero(ties[row])
    return row, int(columns[(columns.size - 1) // 2])


def calibrate(
    videos: Sequence[CalibrationVideo],
    base: ScoringParams,
    *,
    name: str,
    thresholds: np.ndarray | None = None,
    min_bouts: Sequence[float] | None = DEFAULT_MIN_BOUTS,
    objective: Objective | None = None,
    tolerance_s: float = 0.0,
) -> CalibrationResult:
    """Fit threshold and minimum bout to human scores, with leave-one-video-out cross-validation.

    ``base`` supplies everything else (method, smoothing, window...); ``min_bouts=None`` keeps its minimum
    bout. ``objective`` defaults to ``kappa`` when every video has per-frame labels, else ``seconds``.
    Returns the parameters fitted to all videos, named ``name``, with a source saying how they were fitted.
    """
    objective = _objective(videos, objective)
    framewise = _framewise(videos)
    names = [v.name for v in videos]
    bouts = list(min_bouts) if min_bouts is not None else [base.min_bout_s]
    grid = (
        np.asarray(thresholds, dtype=np.float64)
        if thresholds is not None
        else threshold_grid([smooth_signal(v.signal, v.fps, base.smooth_s) for v in videos])
    )
    tables = [_tabulate(v, base, grid, bouts, tolerance_s) for v in videos]
    cells = [_held_out_cell(k, tables, objective, bouts, base.min_bout_s) for k in range(len(videos))]
    rows = [
        _fold_row(video.name, table, cell, grid, bouts, framewise)
        for video, table, cell in zip(videos, tables, cells, strict=True)
    ]
    pooled = _pooled(tables, cells, tolerance_s) if framewise else None
    seconds = seconds_agreement([row["human_s"] for row in rows], [row["machine_s"] for row in rows])
    i, j = _best(_score(tables, objective), bouts, base.min_bout_s)
    fit = {
        "objective": objective,
        "tolerance_s": float(tolerance_s),
        "n_videos": len(videos),
        "videos": names,
        "threshold_grid": [float(grid[0]), float(grid[-1]), int(grid.size)],
        "min_bouts": [float(b) for b in bouts],
        "base_preset": base.name,
    }
    cv = f"kappa {pooled.kappa:.3f}, " if pooled is not None else ""
    source = (
        f"Calibrated from {base.name!r} ({base.method}) on {len(videos)} human-scored videos "
        f"({', '.join(names)}), objective {objective}, tolerance {tolerance_s:g} s; leave-one-video-out "
        f"{cv}Pearson r {seconds.pearson_r:.3f}, Bland-Altman bias {seconds.bias:+.2f} s."
    )
    params = with_overrides(
        base, name=name, threshold=float(grid[j]), min_bout_s=float(bouts[i]), source=source
    )
    return CalibrationResult(params, pd.DataFrame(rows), pooled, seconds, fit)


def _framewise(videos: Sequence[CalibrationVideo]) -> bool:
    """True when every video has per-frame labels."""
    return all(v.labels is not None for v in videos)


def _objective(videos: Sequence[CalibrationVideo], objective: Objective | None) -> Objective:
    """The objective to fit (default: kappa with per-frame labels, else seconds); ValueError for bad input."""
    if len(videos) < 2:
        raise ValueError(f"calibration needs at least two videos for cross-validation, got {len(videos)}")
    names = [v.name for v in videos]
    if len(set(names)) != len(names):
        raise ValueError(f"video names must be unique: {', '.join(names)}")
    framewise = _framewise(videos)
    chosen: Objective = objective or ("kappa" if framewise else "seconds")
    if chosen != "seconds" and not framewise:
        raise ValueError(f"objective {chosen!r} needs per-frame labels for every video; use 'seconds'")
    return chosen


def _agreement(counts: np.ndarray, ignored: int, params: Mapping[str, Any] | None = None) -> FrameAgreement:
    """Frame agreement from confusion counts: true and false positives, false and true negatives."""
    tp, fp, fn, tn = (int(c) for c in counts)
    return FrameAgreement(tp, fp, fn, tn, ignored, dict(params or {}))


def _held_out_cell(
    k: int, tables: Sequence[_Table], objective: Objective, bouts: Sequence[float], preferred_bout: float
) -> tuple[int, int]:
    """The grid point (min bout, threshold) fitted to every video but video ``k``."""
    others = [table for m, table in enumerate(tables) if m != k]
    return _best(_score(others, objective), bouts, preferred_bout)


def _fold_row(
    name: str,
    table: _Table,
    cell: tuple[int, int],
    grid: np.ndarray,
    bouts: Sequence[float],
    framewise: bool,
) -> dict[str, Any]:
    """One held-out video's row: the parameters fitted without it, its agreement and seconds with them."""
    i, j = cell
    row: dict[str, Any] = {"video": name, "threshold": float(grid[j]), "min_bout_s": float(bouts[i])}
    if framewise:
        row.update(_agreement(table.counts[i, j], table.ignored).to_dict())
    row.update(human_s=table.human_s, machine_s=float(table.machine_s[i, j]))
    return row


def _pooled(tables: Sequence[_Table], cells: Sequence[tuple[int, int]], tolerance_s: float) -> FrameAgreement:
    """The held-out videos' frame agreement pooled over all folds."""
    counts = np.sum([table.counts[i, j] for table, (i, j) in zip(tables, cells, strict=True)], axis=0)
    ignored = sum(table.ignored for table in tables)
    return _agreement(counts, ignored, {"tolerance_s": tolerance_s})
