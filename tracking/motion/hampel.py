"""The Hampel filter: replace a frame by its window's median only when it is an outlier there."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Frames of the Hampel filter's window applied to each ROI's signal: 0.28 s at 25 fps.
HAMPEL_FRAMES = 7
#: Robust standard deviations from its window's median beyond which a frame is an outlier (Hampel's 3).
HAMPEL_SDS = 3.0
_MAD_TO_SD = 1.4826


def hampel(
    values: np.ndarray,
    frames: int = HAMPEL_FRAMES,
    sds: float = HAMPEL_SDS,
    left_out: np.ndarray | None = None,
) -> np.ndarray:
    """Hampel filter over ``frames`` (odd) frames of each column of ``values`` (n_frames, n_rois).

    A frame is replaced by its centred window's median only when it is an outlier there: farther from the
    median than ``sds`` robust standard deviations (1.4826 x the window's median absolute deviation). Other
    frames keep their own value, so a step (a bout edge) and the real values next to it stay as measured.
    Frames marked in ``left_out`` ((n_frames,) bool) take no part in any window's median or deviation; with
    an even number of frames left the lower median is taken, so a change must hold a strict majority of
    them to stand. A frame whose window reaches past either end or holds a NaN keeps its own value.

    Notes
    -----
    Hampel (1974), J. Am. Stat. Assoc. 69:383-393; Pearson et al. (2016), EURASIP J. Adv. Signal Process.
    2016:87. BehaviorDEPOT filters its tracking this way (Gabriel et al. 2022, eLife 11:e74314). In a still
    stretch (deviation 0) any change is an outlier: a burst of up to ``frames // 2`` frames is removed.
    """
    if frames % 2 == 0 or frames < 1:
        raise ValueError(f"the Hampel filter needs an odd number of frames, got {frames}")
    half = frames // 2
    filtered = values.copy()
    if values.shape[0] < frames:
        return filtered
    wide = values.astype(np.float64)
    if left_out is not None:
        wide = np.where(left_out.reshape((-1,) + (1,) * (values.ndim - 1)), np.nan, wide)
    windows = sliding_window_view(wide, frames, axis=0)
    medians = _low_median(windows)
    spread = _MAD_TO_SD * _low_median(np.abs(windows - medians[..., None]))
    centre = values[half : values.shape[0] - half]
    measured = np.isfinite(sliding_window_view(values, frames, axis=0)).all(axis=-1) & np.isfinite(medians)
    outlier = measured & (np.abs(centre - medians) > sds * spread)
    np.copyto(filtered[half : values.shape[0] - half], medians.astype(values.dtype), where=outlier)
    return filtered


def _low_median(windows: np.ndarray) -> np.ndarray:
    """Lower median of the finite values along the last axis (NaN where there are none), vectorised."""
    ordered = np.sort(windows, axis=-1)
    count = np.isfinite(ordered).sum(axis=-1, keepdims=True)
    low = np.take_along_axis(ordered, np.maximum(count - 1, 0) // 2, axis=-1)
    median: np.ndarray = np.where(count > 0, low, np.nan)[..., 0]
    return median
