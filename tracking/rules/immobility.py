"""The immobility rule: a per-frame signal below a threshold for at least a minimum bout, in seconds.

One rule serves both scoring methods: the motion signal (fraction of ROI pixels changed since the previous
frame) and the pose signal (body speed in cm/s). Low values mean immobile in both.

Input contract (checked by :func:`validate_signal`): ``signal`` is a float array of shape ``(n_frames,)`` that
may hold NaN (frame 0 of a motion signal has no previous frame; dropped or undecodable frames; pose gaps
too long to interpolate); ``timestamps`` are the frames' presentation times in seconds from test start,
strictly increasing and possibly irregular (variable frame rate), or ``None`` for ``arange(n_frames) / fps``;
``fps`` is the nominal frame rate. Frame ``i`` lasts from ``timestamps[i]`` to ``timestamps[i + 1]``; the last
frame lasts ``1 / fps``. All durations are sums of these frame intervals, so results do not depend on the
frame rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import pandas as pd

#: Default minimum bout (s): DBscorer and ANY-maze use 1 s.
DEFAULT_MIN_BOUT_S = 1.0
#: Default longest run of NaN frames (s) bridged when both neighbours are below the threshold.
DEFAULT_MAX_NAN_GAP_S = 0.25
#: Seconds by which two times may differ and still count as equal (float rounding of frame timestamps).
TIME_TOLERANCE_S = 1e-6


class FrameState(IntEnum):
    """Per-frame behavioural state; MOBILE is 'swimming' when a climbing threshold splits mobile frames."""

    MISSING = -1
    IMMOBILE = 0
    MOBILE = 1
    CLIMBING = 2


def state_names(three_states: bool) -> dict[int, str]:
    """Names of the :class:`FrameState` codes: mobile/immobile, or immobile/swimming/climbing (Detke)."""
    return {
        FrameState.MISSING: "missing",
        FrameState.IMMOBILE: "immobile",
        FrameState.MOBILE: "swimming" if three_states else "mobile",
        FrameState.CLIMBING: "climbing",
    }


@dataclass(frozen=True, eq=False)
class Bouts:
    """Immobility bouts: frames ``start_frame`` to ``stop_frame`` (exclusive), ``start_s`` to ``end_s``."""

    start_frame: np.ndarray
    stop_frame: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray

    @property
    def duration_s(self) -> np.ndarray:
        """Length of each bout in seconds."""
        durations: np.ndarray = self.end_s - self.start_s
        return durations

    def __len__(self) -> int:
        return int(self.start_frame.size)

    def to_frame(self) -> pd.DataFrame:
        """Bouts as a table: start_frame, stop_frame, start_s, end_s, duration_s."""
        return pd.DataFrame(
            {
                "start_frame": self.start_frame,
                "stop_frame": self.stop_frame,
                "start_s": self.start_s,
                "end_s": self.end_s,
                "duration_s": self.duration_s,
            }
        )


@dataclass(frozen=True, eq=False)
class FrameScores:
    """Per-frame result of the immobility rule, with the parameters that produced it."""

    time_s: np.ndarray
    duration_s: np.ndarray
    signal: np.ndarray
    immobile: np.ndarray
    state: np.ndarray
    bouts: Bouts
    params: Mapping[str, Any]

    @property
    def n_frames(self) -> int:
        """Number of frames scored."""
        return int(self.time_s.size)


def validate_signal(
    signal: np.ndarray, timestamps: np.ndarray | None, fps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Check the input contract and return ``(signal, timestamps)`` as float64 arrays; raise ValueError."""
    if not (isinstance(fps, int | float | np.number) and np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive finite number, got {fps!r}")
    values = np.asarray(signal, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"signal must be 1-D (n_frames,), got shape {values.shape}")
    if np.isinf(values).any():
        raise ValueError(
            f"signal has infinite values at frames {np.flatnonzero(np.isinf(values))[:5].tolist()}"
        )
    if timestamps is None:
        return values, np.arange(values.size, dtype=np.float64) / float(fps)
    times = np.asarray(timestamps, dtype=np.float64)
    if times.shape != values.shape:
        raise ValueError(f"timestamps have shape {times.shape} but the signal has shape {values.shape}")
    if not np.isfinite(times).all():
        raise ValueError(
            f"timestamps are not finite at frames {np.flatnonzero(~np.isfinite(times))[:5].tolist()}"
        )
    bad = np.flatnonzero(np.diff(times) <= 0)
    if bad.size:
        raise ValueError(
            f"timestamps must increase strictly; frame {bad[0] + 1} is at {times[bad[0] + 1]!r} s, "
            f"not after frame {bad[0]} at {times[bad[0]]!r} s"
        )
    return values, times


def frame_durations(timestamps: np.ndarray, fps: float) -> np.ndarray:
    """Seconds each frame lasts: the gap to the next timestamp, ``1 / fps`` for the last frame."""
    return np.append(np.diff(timestamps), 1.0 / fps) if timestamps.size else np.empty(0)


def smooth_signal(signal: np.ndarray, fps: float, window_s: float) -> np.ndarray:
    """Centred rolling median over ``window_s`` seconds (an odd number of frames at ``fps``), ignoring NaN.

    Notes
    -----
    A median removes single-frame spikes (a splash, a compression artefact, a pose-estimation jump) that
    would otherwise break an immobility bout, without smearing the bout edges as a mean would. The window is
    counted in frames at the nominal ``fps``; a window of one frame or less returns the signal unchanged.
    NaN frames are skipped, so a NaN frame with valid neighbours inside the window gets their median.
    """
    frames = odd_window_frames(window_s, fps)
    values = np.asarray(signal, dtype=np.float64)
    if frames <= 1:
        return values.copy()
    rolled = pd.Series(values).rolling(frames, center=True, min_periods=1).median()
    return rolled.to_numpy(dtype=np.float64)


def odd_window_frames(window_s: float, fps: float) -> int:
    """An odd number of frames spanning about ``window_s`` seconds at ``fps`` frames per second (at least 1).

    A centred window of an odd length has a middle frame, so it shifts no edge in time.
    """
    return max(1, round(window_s * fps) | 1)


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) indices of the runs of True in a boolean array."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def classify_frames(
    signal: np.ndarray,
    timestamps: np.ndarray | None = None,
    *,
    fps: float,
    threshold: float,
    min_bout_s: float = DEFAULT_MIN_BOUT_S,
    climb_threshold: float | None = None,
    max_nan_gap_s: float = DEFAULT_MAX_NAN_GAP_S,
) -> FrameScores:
    """Apply the bout rule: immobile where the signal stays below ``threshold`` for at least ``min_bout_s``.

    Notes
    -----
    Porsolt et al. (1977) defined immobility in the forced swim test as floating with only the movements
    needed to keep the head above water. Automated scorers turn this into a threshold on a motion measure held
    for a minimum time, so that a brief pause between strokes is not counted: ezTrack 0.5 s (Pennington et al.
    2019), DBscorer 1 s (Bruce et al. 2021), ANY-maze 1 s, BehaviorDEPOT 0.9 s (Gabriel et al. 2022). The
    minimum is in seconds, measured on the timestamps, so a 25-fps and a 30-fps recording of the same
    behaviour give the same bouts to within a frame.

    A frame is below the threshold when ``signal < threshold``. A run of below-threshold frames is a bout when
    it lasts at least ``min_bout_s`` from the start of its first frame to the end of its last. NaN frames are
    unknown: a run of NaN frames lasting at most ``max_nan_gap_s`` with below-threshold frames on both sides
    is bridged (a dropped frame while the animal floats does not split the bout) and counts as immobile; other
    NaN frames are neither immobile nor mobile (state MISSING) and end a bout. A NaN ``threshold`` (no
    threshold could be estimated) makes every frame MISSING.

    With ``climb_threshold`` the frames that are not immobile are split for Detke, Rickels & Lucki (1995)
    time sampling: CLIMBING where ``signal >= climb_threshold``, MOBILE (swimming) otherwise. Climbing needs
    no minimum duration, as a rater scores the predominant behaviour of each 5-s bin.
    """
    values, times = validate_signal(signal, timestamps, fps)
    durations = frame_durations(times, fps)
    ends = times + durations
    known = np.isfinite(values) & bool(np.isfinite(threshold))
    below = _bridge_nan_gaps(known & (values < threshold), known, times, ends, max_nan_gap_s)
    starts, stops = runs(below)
    long_enough = ends[stops - 1] - times[starts] >= min_bout_s - TIME_TOLERANCE_S
    starts, stops = starts[long_enough], stops[long_enough]
    immobile = np.zeros(values.size, dtype=bool)
    for start, stop in zip(starts, stops, strict=True):
        immobile[start:stop] = True
    state = _frame_states(values, known, immobile, climb_threshold)
    bouts = Bouts(starts, stops, times[starts], ends[stops - 1])
    params = {
        "threshold": float(threshold),
        "climb_threshold": None if climb_threshold is None else float(climb_threshold),
        "min_bout_s": float(min_bout_s),
        "max_nan_gap_s": float(max_nan_gap_s),
        "fps": float(fps),
        "comparison": "signal < threshold",
    }
    return FrameScores(times, durations, values, immobile, state, bouts, params)


def _bridge_nan_gaps(
    below: np.ndarray, known: np.ndarray, times: np.ndarray, ends: np.ndarray, max_nan_gap_s: float
) -> np.ndarray:
    """``below`` with short runs of unknown frames between two below-threshold frames counted as below.

    A run lasting at most ``max_nan_gap_s`` is bridged: a dropped frame while the animal floats does not split
    the bout.
    """
    bridged = below.copy()
    for start, stop in zip(*runs(~known), strict=True):
        inside = start > 0 and stop < below.size and below[start - 1] and below[stop]
        if inside and ends[stop - 1] - times[start] <= max_nan_gap_s + TIME_TOLERANCE_S:
            bridged[start:stop] = True
    return bridged


def _frame_states(
    values: np.ndarray, known: np.ndarray, immobile: np.ndarray, climb_threshold: float | None
) -> np.ndarray:
    """Each frame's :class:`FrameState`: missing if unknown, immobile in a bout, else mobile or climbing."""
    state = np.full(values.size, FrameState.MOBILE, dtype=np.int8)
    state[~known] = FrameState.MISSING
    if climb_threshold is not None:
        state[known & (values >= climb_threshold)] = FrameState.CLIMBING
    state[immobile] = FrameState.IMMOBILE
    return state
