"""Per-animal results: immobility in the scored window, latency, bouts, per-minute bins, Detke time sampling.

:func:`score_signal` is the one path from a per-frame signal to an :class:`AnimalResult`: optional smoothing,
the threshold (adapted to the signal, or fixed), the bout rule, then the summary over the scored window. Times
are seconds of video time (the timestamps' zero); each animal's test starts at its
:class:`~tracking.rules.starts.AnimalStart` (default: the video's first frame), and its test, scored window,
per-minute bins, time samples and latency count from there. Every duration is measured on the frame intervals,
so a result does not depend on the frame rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracking.rules.immobility import (
    TIME_TOLERANCE_S,
    FrameScores,
    FrameState,
    classify_frames,
    smooth_signal,
    state_names,
    validate_signal,
)
from tracking.rules.presets import PRESETS, ScoringParams
from tracking.rules.starts import VIDEO_START, AnimalStart
from tracking.rules.threshold import ThresholdEstimate, estimate_threshold

#: A time-sampling bin needs a known state for at least this fraction of its length, else it is "missing".
MIN_BIN_COVERAGE = 0.5
_STATES = (FrameState.IMMOBILE, FrameState.MOBILE, FrameState.CLIMBING)
#: Columns of a bin table (:func:`bin_table`).
BIN_COLUMNS = (
    "kind",
    "bin",
    "start_s",
    "end_s",
    "covered_s",
    "immobile_s",
    "mobile_s",
    "climbing_s",
    "state",
)


@dataclass(frozen=True, eq=False)
class AnimalResult:
    """One animal's immobility results, the per-frame scores behind them and every parameter applied.

    ``start`` is the animal's test start in video time; ``window_start_s`` and ``window_end_s`` are in video
    time (the preset's window shifted by the start). ``latency_s`` is measured from the test start, not from
    the window start. ``scored_s`` is the time in
    the window with a known state (less than the window when the video is short or frames are missing).
    ``n_bouts`` counts bouts overlapping the window, ``mean_bout_s`` their mean length clipped to the window.
    ``threshold_trustworthy`` is None for a fixed threshold (not assessed).
    """

    animal: str
    immobility_s: float
    latency_s: float
    n_bouts: int
    mean_bout_s: float
    window_start_s: float
    window_end_s: float
    scored_s: float
    threshold: float
    threshold_source: str
    threshold_trustworthy: bool | None
    threshold_estimate: ThresholdEstimate | None
    time_sampling: Mapping[str, int]
    bins: pd.DataFrame
    frames: FrameScores
    raw_signal: np.ndarray
    params: Mapping[str, Any]
    warnings: tuple[str, ...]
    start: AnimalStart = VIDEO_START

    def to_row(self) -> dict[str, Any]:
        """One flat row for a results table (``results.csv``)."""
        estimate = self.threshold_estimate
        return {
            "animal": self.animal,
            "immobility_s": self.immobility_s,
            "latency_s": self.latency_s,
            "n_bouts": self.n_bouts,
            "mean_bout_s": self.mean_bout_s,
            "test_start_s": self.start.start_s,
            "start_source": self.start.source.value,
            "start_confidence": self.start.confidence,
            "window_start_s": self.window_start_s,
            "window_end_s": self.window_end_s,
            "scored_s": self.scored_s,
            "threshold": self.threshold,
            "threshold_source": self.threshold_source,
            "threshold_trustworthy": self.threshold_trustworthy,
            "threshold_separation": estimate.separation if estimate else float("nan"),
            **{f"samples_{name}": count for name, count in self.time_sampling.items()},
            "preset": self.params["preset"]["name"],
            "method": self.params["preset"]["method"],
            "warnings": " | ".join(self.warnings),
        }

    def frames_frame(self) -> pd.DataFrame:
        """Per-frame table: frame, time_s, signal, immobile (0/1), state (and scored_signal when smoothed)."""
        names = state_names(self.params["bout_rule"]["climb_threshold"] is not None)
        table = pd.DataFrame(
            {
                "frame": np.arange(self.frames.n_frames),
                "time_s": self.frames.time_s,
                "signal": self.raw_signal,
                "immobile": self.frames.immobile.astype(np.int8),
                "state": [names[code] for code in self.frames.state.tolist()],
            }
        )
        if self.params["preset"]["smooth_s"] > 0:
            table["scored_signal"] = self.frames.signal
        return table


def time_in(mask: np.ndarray, time_s: np.ndarray, duration_s: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Seconds during which ``mask`` holds within each interval ``[edges[k], edges[k + 1])``.

    Each frame counts for the part of its interval ``[time_s[i], time_s[i] + duration_s[i])`` inside a bin,
    so bins need not align with frames.
    """
    edges = np.asarray(edges, dtype=np.float64)
    if time_s.size == 0:
        return np.zeros(max(edges.size - 1, 0))
    weighted = mask.astype(np.float64) * duration_s
    cumulative = np.concatenate(([0.0], np.cumsum(weighted)))
    frame = np.searchsorted(time_s, edges, side="right") - 1
    inside = frame >= 0
    safe = np.clip(frame, 0, None)
    partial = np.minimum(np.clip(edges - time_s[safe], 0.0, None), duration_s[safe]) * mask[safe]
    integral = np.where(inside, cumulative[safe] + partial, 0.0)
    return np.diff(integral)


def bin_edges(start_s: float, end_s: float, step_s: float) -> np.ndarray:
    """Edges from ``start_s`` to ``end_s`` every ``step_s``; the last bin may be shorter."""
    inner = start_s + step_s * np.arange(1, int(np.ceil((end_s - start_s) / step_s - TIME_TOLERANCE_S)))
    return np.concatenate(([start_s], inner, [end_s]))


def bin_table(frames: FrameScores, edges: np.ndarray, kind: str) -> pd.DataFrame:
    """Seconds in each state and the predominant state (Detke time sampling) of every bin between ``edges``.

    Notes
    -----
    Detke, Rickels & Lucki (1995), Psychopharmacology 121:66-72, score the predominant behaviour of each 5-s
    bin (immobility, swimming, climbing): serotonergic antidepressants raise swimming, noradrenergic ones
    climbing. Here the predominant state is the state held longest in the bin (ties go to the lower code:
    immobile, then mobile/swimming, then climbing); a bin with a known state for less than half its length
    (past the end of the video, or NaN frames) is "missing". ``mobile_s`` is the swimming time when a
    climbing threshold is set.
    """
    names = state_names(frames.params["climb_threshold"] is not None)
    seconds = np.stack(
        [time_in(frames.state == code, frames.time_s, frames.duration_s, edges) for code in _STATES], axis=1
    )
    covered = seconds.sum(axis=1)
    length = np.diff(edges)
    predominant = np.array([names[_STATES[i]] for i in np.argmax(seconds, axis=1)], dtype=object)
    predominant[covered < MIN_BIN_COVERAGE * length - TIME_TOLERANCE_S] = names[FrameState.MISSING]
    return pd.DataFrame(
        {
            "kind": kind,
            "bin": np.arange(length.size),
            "start_s": edges[:-1],
            "end_s": edges[1:],
            "covered_s": covered,
            "immobile_s": np.where(covered > 0, seconds[:, 0], np.nan),
            "mobile_s": np.where(covered > 0, seconds[:, 1], np.nan),
            "climbing_s": np.where(covered > 0, seconds[:, 2], np.nan),
            "state": predominant,
        },
        columns=list(BIN_COLUMNS),
    )


def scored_window(
    params: ScoringParams, test_start_s: float, video_end_s: float
) -> tuple[float, float, float]:
    """The scored window's start and end and the test's end in video time, for a test from ``test_start_s``.

    The preset's window and test length count from the test start; an open end is the video's end.
    """
    window_start = test_start_s + params.window_start_s
    if params.window_end_s is not None:
        window_end = test_start_s + params.window_end_s
    else:
        window_end = max(video_end_s, window_start + TIME_TOLERANCE_S)
    test_end = test_start_s + params.test_duration_s if params.test_duration_s is not None else video_end_s
    return window_start, window_end, test_end


def summarize(
    frames: FrameScores,
    params: ScoringParams,
    *,
    raw_signal: np.ndarray,
    estimate: ThresholdEstimate | None = None,
    animal: str = "",
    start: AnimalStart = VIDEO_START,
) -> AnimalResult:
    """Summarise one animal's per-frame scores over the scored window, per minute and in 5-s samples.

    The preset's window, test length and bins count from ``start`` (the animal's test start, video time).
    """
    video_end = float(frames.time_s[-1] + frames.duration_s[-1]) if frames.n_frames else 0.0
    test_start = start.start_s
    window_start, end, test_end = scored_window(params, test_start, video_end)
    window = np.array([window_start, end])
    known = frames.state != FrameState.MISSING
    scored_s = float(time_in(known, frames.time_s, frames.duration_s, window)[0])
    immobility_s = float(time_in(frames.immobile, frames.time_s, frames.duration_s, window)[0])
    bouts = frames.bouts
    n_bouts = int(((bouts.start_s < end) & (bouts.end_s > window_start)).sum())
    minutes = bin_edges(test_start, max(test_end, test_start + TIME_TOLERANCE_S), params.bin_s)
    bins = pd.concat(
        [
            bin_table(frames, minutes, "minute"),
            bin_table(frames, bin_edges(window_start, end, params.sample_bin_s), "time_sample"),
        ],
        ignore_index=True,
    )
    warnings = _warnings(frames, params, estimate, video_end, window_start, end, scored_s)
    return AnimalResult(
        animal=animal,
        immobility_s=immobility_s if scored_s > 0 else float("nan"),
        latency_s=float(bouts.start_s[0]) - test_start if len(bouts) else float("nan"),
        n_bouts=n_bouts,
        mean_bout_s=immobility_s / n_bouts if n_bouts else float("nan"),
        window_start_s=window_start,
        window_end_s=end,
        scored_s=scored_s,
        threshold=frames.params["threshold"],
        threshold_source="auto" if estimate is not None else "fixed",
        threshold_trustworthy=estimate.trustworthy if estimate is not None else None,
        threshold_estimate=estimate,
        time_sampling=_time_sampling(bins, three_states=frames.params["climb_threshold"] is not None),
        bins=bins,
        frames=frames,
        raw_signal=raw_signal,
        params={
            "preset": params.to_dict(),
            "bout_rule": dict(frames.params),
            "threshold": dict(estimate.params) if estimate is not None else {"method": "fixed"},
            "n_frames": frames.n_frames,
            "video_end_s": video_end,
            "builtin_preset": (params.name, params.method) in PRESETS,
            "test_start": start.to_dict(),
        },
        warnings=warnings,
        start=start,
    )


def _time_sampling(bins: pd.DataFrame, *, three_states: bool) -> dict[str, int]:
    """Detke time sampling: how many 5-s samples each state predominates in (climbing only with 3 states)."""
    names = state_names(three_states)
    sampled = bins.loc[bins["kind"] == "time_sample", "state"]
    counted = [names[c] for c in _STATES if c != FrameState.CLIMBING or three_states]
    return {name: int((sampled == name).sum()) for name in counted}


def _warnings(
    frames: FrameScores,
    params: ScoringParams,
    estimate: ThresholdEstimate | None,
    video_end: float,
    start: float,
    end: float,
    scored_s: float,
) -> tuple[str, ...]:
    found = []
    if video_end < end - TIME_TOLERANCE_S:
        found.append(
            f"the video ends at {video_end:.2f} s, before the end of the scored window ({end:g} s): "
            f"{scored_s:.2f} s of {end - start:g} s scored"
        )
    covered = max(0.0, min(video_end, end) - max(frames.time_s[0] if frames.n_frames else 0.0, start))
    if covered - scored_s > 0.01 * (end - start):
        found.append(
            f"{covered - scored_s:.2f} s of the scored window have no known state "
            "(NaN signal or no threshold)"
        )
    if estimate is not None and not estimate.trustworthy:
        found.append(f"automatic threshold not trustworthy: {estimate.reason}")
    climb = params.climb_threshold
    if climb is not None and frames.params["threshold"] >= climb:
        found.append(f"threshold {frames.params['threshold']:g} is not below climb_threshold {climb:g}")
    return tuple(found)


def score_signal(
    signal: np.ndarray,
    timestamps: np.ndarray | None = None,
    *,
    fps: float,
    params: ScoringParams | None = None,
    animal: str = "",
    start: AnimalStart = VIDEO_START,
) -> AnimalResult:
    """Score one animal's per-frame signal with ``params`` (default: the ``fst`` motion preset).

    ``start`` is the animal's test start in video time (default: the first frame). Frames before it are not
    part of the test: they are left unscored (MISSING), out of the threshold's fit (an empty tank's frames
    would form a false "immobile" population) and out of every bout.

    Notes
    -----
    Order of operations: the signal is smoothed (``smooth_s``,
    :func:`tracking.rules.immobility.smooth_signal`),
    the threshold is estimated from the smoothed signal when ``threshold == "auto"``
    (:func:`tracking.rules.threshold.estimate_threshold`) or taken as given, the bout rule is applied
    (:func:`tracking.rules.immobility.classify_frames`), and :func:`summarize` reports the window. When no
    threshold can be estimated (constant or empty signal) every frame is MISSING and the window's immobility
    is NaN, with the reason among the warnings.
    """
    params = params if params is not None else PRESETS[("fst", "motion")]
    values, times = validate_signal(signal, timestamps, fps)
    test_values = np.where(times < start.start_s - TIME_TOLERANCE_S, np.nan, values)
    scored = smooth_signal(test_values, fps, params.smooth_s)
    estimate = None
    threshold = params.threshold
    if threshold == "auto":
        estimate = estimate_threshold(scored, min_separation=params.min_separation)
        threshold = estimate.threshold
    frames = classify_frames(
        scored,
        times,
        fps=fps,
        threshold=float(threshold),
        min_bout_s=params.min_bout_s,
        climb_threshold=params.climb_threshold,
        max_nan_gap_s=params.max_nan_gap_s,
    )
    return summarize(frames, params, raw_signal=values, estimate=estimate, animal=animal, start=start)


def results_frame(results: Sequence[AnimalResult]) -> pd.DataFrame:
    """One row per animal (see :meth:`AnimalResult.to_row`)."""
    return pd.DataFrame([result.to_row() for result in results])


def bins_frame(results: Sequence[AnimalResult]) -> pd.DataFrame:
    """Long-form bins of several animals: an ``animal`` column before each animal's bin table."""
    tables = [result.bins.assign(animal=result.animal) for result in results]
    if not tables:
        return pd.DataFrame(columns=["animal", *bin_table.__annotations__])
    table = pd.concat(tables, ignore_index=True)
    return table[["animal", *[c for c in table.columns if c != "animal"]]]
