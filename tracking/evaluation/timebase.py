"""One time base for recordings made at different frame rates, so a calibration can pool them.

:func:`to_time_base` moves one recording's per-frame signal and labels onto a grid of ``fps`` frames per
second (the lowest frame rate among the recordings pooled): frame ``k`` of the grid covers
``[k / fps, (k + 1) / fps)`` and gathers the recording's frames whose start time lies in it.

Notes
-----
Pooled at their own frame rates, a 50 fps recording would weigh twice a 25 fps one of the same length in
the fitted threshold; on one grid, every recording weighs by its duration. The grid is the lowest frame
rate because going down only merges frames; going up would invent frames. The signal (a speed in cm/s or a
normalised motion, NaN where unknown) is averaged over each grid frame, ignoring NaN: the mean of the
per-frame speeds is the distance travelled over the grid frame divided by its duration, which is what a
camera at the grid rate would measure, and it uses every frame rather than one in two as picking the value
at the grid time would. Labels take the majority of the frames in the grid frame, a tie going to the first
(the frame covering the grid frame's start, as :func:`tracking.evaluation.labels.bouts_to_mask` places
bouts). A recording already at the grid rate is returned unchanged.
"""

from __future__ import annotations

import math

import numpy as np

#: Tolerance (in grid frames) on a frame's start time when placing it in a grid frame.
_PLACEMENT_TOLERANCE = 1e-9


def to_time_base(
    signal: np.ndarray, timestamps: np.ndarray, fps: float, labels: np.ndarray | None, grid_fps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(signal, timestamps, labels)`` on the grid at ``grid_fps`` (<= ``fps``).

    Grid frames without a recording frame are left out, so the timestamps say where a gap is.
    """
    if grid_fps > fps and not math.isclose(grid_fps, fps, rel_tol=1e-9):
        raise ValueError(
            f"the common time base ({grid_fps:g} fps) cannot be finer than a recording ({fps:g})"
        )
    if math.isclose(grid_fps, fps, rel_tol=1e-9):
        return signal, timestamps, labels
    cells = np.floor(timestamps * grid_fps + _PLACEMENT_TOLERANCE).astype(np.int64)
    grid, first, inverse, sizes = np.unique(cells, return_index=True, return_inverse=True, return_counts=True)
    finite = np.isfinite(signal)
    total = np.bincount(inverse, weights=np.where(finite, signal, 0.0), minlength=grid.size)
    known = np.bincount(inverse, weights=finite.astype(np.float64), minlength=grid.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(known > 0, total / known, np.nan)
    merged = None
    if labels is not None:
        share = np.bincount(inverse, weights=labels.astype(np.float64), minlength=grid.size) / sizes
        merged = (share > 0.5) | ((share == 0.5) & labels[first])
    return values, grid / grid_fps, merged


__all__ = ["to_time_base"]
