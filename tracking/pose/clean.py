"""Cleaning pose tracks: drop unreliable points, bridge short gaps, report long ones, smooth.

Each function takes :class:`~tracking.pose.tracks.PoseTracks` and returns new tracks with the step and its
parameters appended to ``history``, so the tracks say how they were made. Coordinates that are unknown are
NaN throughout.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tracking.pose.tracks import PoseFileError, PoseTracks
from tracking.rules.immobility import odd_window_frames, runs

#: Default likelihood below which a point is dropped (DeepLabCut's own default ``pcutoff`` is 0.6; 0.9 is
#: the stricter value used by BehaviorDEPOT and many analysis pipelines for speed measures).
DEFAULT_MIN_LIKELIHOOD = 0.9
#: Default longest gap (s) bridged by linear interpolation.
DEFAULT_MAX_GAP_S = 0.5
SmoothMethod = Literal["savgol", "median", "none"]
GAP_COLUMNS = ("individual", "bodypart", "start_frame", "stop_frame", "start_s", "duration_s")


def _fps(tracks: PoseTracks) -> float:
    if tracks.fps is None:
        raise PoseFileError(
            tracks.source, "the frame rate is unknown: give fps (a pose file does not store it)"
        )
    return float(tracks.fps)


def filter_likelihood(tracks: PoseTracks, min_likelihood: float = DEFAULT_MIN_LIKELIHOOD) -> PoseTracks:
    """Set x and y to NaN where the likelihood is below ``min_likelihood`` (or NaN).

    Notes
    -----
    DeepLabCut's likelihood is the peak of the body part's score map: low where the part is occluded or the
    network is unsure, and then the location is often a wrong, distant point (Mathis et al. 2018). A wrong
    point two frames in a row is a large apparent speed, so unreliable points are removed before any
    derivative; the gaps left are bridged or reported by :func:`interpolate_gaps`.
    """
    if not 0.0 <= min_likelihood <= 1.0:
        raise ValueError(f"min_likelihood must be in [0, 1], got {min_likelihood!r}")
    drop = ~(tracks.likelihood >= min_likelihood)
    known = np.isfinite(tracks.x) & np.isfinite(tracks.y)
    step = {
        "step": "filter_likelihood",
        "min_likelihood": float(min_likelihood),
        "dropped_fraction": float((drop & known).sum() / max(known.sum(), 1)),
    }
    return tracks.with_step(np.where(drop, np.nan, tracks.x), np.where(drop, np.nan, tracks.y), step)


def _interpolate_series(values: np.ndarray, max_frames: int) -> np.ndarray:
    """Linearly fill interior NaN runs of at most ``max_frames`` frames in one 1-D series."""
    missing = np.isnan(values)
    if not missing.any() or missing.all():
        return values.copy()
    frames = np.arange(values.size)
    filled: np.ndarray = np.interp(frames, frames[~missing], values[~missing])
    starts, stops = runs(missing)
    for start, stop in zip(starts, stops, strict=True):
        if start == 0 or stop == values.size or stop - start > max_frames:
            filled[start:stop] = np.nan
    return filled


def interpolate_gaps(tracks: PoseTracks, max_gap_s: float = DEFAULT_MAX_GAP_S) -> PoseTracks:
    """Fill gaps of at most ``max_gap_s`` seconds by linear interpolation; longer gaps and ends stay NaN.

    Notes
    -----
    A short gap (a few frames where a paw is occluded) is bridged linearly, which adds no apparent motion of
    its own. A long gap is left NaN rather than invented: the frames it covers get no pose signal from that
    body part, and :func:`find_gaps` reports it. Gaps at the start or end of a track have only one side and
    are never filled.
    """
    fps = _fps(tracks)
    if max_gap_s < 0:
        raise ValueError(f"max_gap_s must be >= 0, got {max_gap_s!r}")
    max_frames = int(np.floor(max_gap_s * fps + 1e-9))
    x, y = tracks.x.copy(), tracks.y.copy()
    missing = np.isnan(x) | np.isnan(y)
    x[missing] = np.nan
    y[missing] = np.nan
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            x[:, i, j] = _interpolate_series(x[:, i, j], max_frames)
            y[:, i, j] = _interpolate_series(y[:, i, j], max_frames)
    step = {
        "step": "interpolate_gaps",
        "max_gap_s": float(max_gap_s),
        "max_gap_frames": max_frames,
        "filled_fraction": float((missing & np.isfinite(x)).sum() / max(x.size, 1)),
    }
    return tracks.with_step(x, y, step)


def find_gaps(tracks: PoseTracks, min_gap_s: float = 0.0) -> pd.DataFrame:
    """Runs of frames with no position lasting more than ``min_gap_s``: one row per run and body part."""
    fps = _fps(tracks)
    missing = np.isnan(tracks.x) | np.isnan(tracks.y)
    rows = []
    for i, individual in enumerate(tracks.individuals):
        for j, part in enumerate(tracks.bodyparts):
            starts, stops = runs(missing[:, i, j])
            for start, stop in zip(starts, stops, strict=True):
                if (stop - start) / fps > min_gap_s + 1e-9:
                    rows.append((individual, part, int(start), int(stop), start / fps, (stop - start) / fps))
    return pd.DataFrame(rows, columns=list(GAP_COLUMNS))


def _smooth_series(values: np.ndarray, frames: int, method: SmoothMethod, polyorder: int) -> np.ndarray:
    """Smooth each finite run of one series; runs shorter than the window are left as they are."""
    if method == "median":
        rolled = pd.Series(values).rolling(frames, center=True, min_periods=1).median().to_numpy()
        return np.where(np.isnan(values), np.nan, rolled)
    from scipy.signal import savgol_filter  # 0.8 s to import: only pose smoothing needs it

    out = values.copy()
    starts, stops = runs(np.isfinite(values))
    for start, stop in zip(starts, stops, strict=True):
        if stop - start >= frames:
            out[start:stop] = savgol_filter(values[start:stop], frames, polyorder, mode="interp")
    return out


def smooth_tracks(
    tracks: PoseTracks, window_s: float = 0.2, method: SmoothMethod = "savgol", polyorder: int = 2
) -> PoseTracks:
    """Smooth each coordinate over ``window_s`` seconds: Savitzky-Golay (default), rolling median, or none.

    Notes
    -----
    Pose estimates jitter by a pixel or two from frame to frame even on a still animal, and differentiating
    multiplies that noise by the frame rate. A Savitzky-Golay filter (Savitzky & Golay 1964, Anal. Chem.
    36:1627) fits a polynomial of order ``polyorder`` in a sliding window: it removes the jitter while keeping
    the timing and amplitude of real movements better than a moving average of the same length, which is why
    it is the usual smoother before computing kinematics from pose (e.g. the ``movement`` package,
    DeepLabCut's ``filterpredictions``). The window must stay shorter than a swimming stroke (mouse paddling
    runs at several strokes per second) or the strokes are smoothed away: 0.2 s by default. A rolling median
    is offered for tracks with isolated outliers. NaN points are never filled: each run of known points is
    smoothed on its own, and runs shorter than the window are left unsmoothed.
    """
    if method == "none":
        return tracks.with_step(tracks.x, tracks.y, {"step": "smooth", "method": "none"})
    if method not in ("savgol", "median"):
        raise ValueError(f"smoothing method {method!r} is not accepted; expected savgol, median or none")
    frames = odd_window_frames(window_s, _fps(tracks))
    if method == "savgol" and frames <= polyorder:
        raise ValueError(
            f"a Savitzky-Golay window of {frames} frames ({window_s} s) is too short "
            f"for polyorder {polyorder}"
        )
    x, y = tracks.x.copy(), tracks.y.copy()
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            x[:, i, j] = _smooth_series(tracks.x[:, i, j], frames, method, polyorder)
            y[:, i, j] = _smooth_series(tracks.y[:, i, j], frames, method, polyorder)
    step = {
        "step": "smooth",
        "method": method,
        "window_s": float(window_s),
        "window_frames": frames,
        "polyorder": int(polyorder) if method == "savgol" else None,
    }
    return tracks.with_step(x, y, step)
