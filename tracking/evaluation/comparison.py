"""Comparing two sets of scorings, and the human-scored videos a calibration fits to.

:func:`pair_scorings` matches the scorings of two sources by video (file stem; ``m1.rater2`` matches ``m1``)
and animal (a source that names no animal matches the one animal of that video in the other). Then
:func:`compare_scorings` reports per-frame agreement on a common time grid within the scored window and the
per-video seconds statistics of :mod:`tracking.evaluation.agreement`, the first source being the reference;
and
:func:`calibration_inputs` turns human labels paired with machine signals into
:class:`tracking.evaluation.calibration.CalibrationVideo` objects, with the parameters the signals were
scored with.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tracking.evaluation.agreement import (
    FrameAgreement,
    SecondsAgreement,
    agreement_with_intervals,
    frame_agreement_by_block,
    seconds_agreement,
)
from tracking.evaluation.calibration import CalibrationVideo
from tracking.evaluation.labels import LabelFileError
from tracking.evaluation.scorings import Scoring
from tracking.rules.methods import METHODS, MethodName
from tracking.rules.presets import FST_SCORED_WINDOW_S, ScoringParams

#: Frame rate of the time grid on which two scorings without frame times (bouts, bare 0/1 rows) compare.
DEFAULT_GRID_FPS = 30.0


@dataclass(frozen=True)
class Pairing:
    """Scorings of two sources matched by video and animal, and those left without a partner."""

    pairs: tuple[tuple[Scoring, Scoring], ...]
    only_first: tuple[Scoring, ...]
    only_second: tuple[Scoring, ...]
    notes: tuple[str, ...] = ()


def _same_video(a: str, b: str) -> bool:
    return a == b or a.startswith(f"{b}.") or b.startswith(f"{a}.")


def _same_animal(a: str, b: str) -> bool:
    return a == b or not a or not b


def pair_scorings(first: Sequence[Scoring], second: Sequence[Scoring]) -> Pairing:
    """Match each scoring of ``first`` with the one of ``second`` for the same video and animal.

    An exact match (same video key and animal) wins over a partial one. A video with one animal on each
    side pairs whatever the animals are called (the motion method's whole frame ``frame`` and a pose file's
    ``animal``). When each side holds exactly one recording and their names differ, the two pair all the
    same, with a note saying so. LabelFileError names a scoring that still matches several, or a partner
    claimed twice.
    """
    if len(first) == 1 and len(second) == 1 and not _same_video(first[0].video, second[0].video):
        note = f"paired the only recording on each side: {first[0].key} with {second[0].key}"
        return Pairing(((first[0], second[0]),), (), (), (note,))
    pairs: list[tuple[Scoring, Scoring]] = []
    claimed: dict[int, Scoring] = {}
    for a in first:
        same_video = [b for b in second if _same_video(a.video, b.video)]
        matches = [b for b in same_video if _same_animal(a.animal, b.animal)]
        exact = [b for b in matches if b.video == a.video and b.animal == a.animal]
        alone = len(same_video) == 1 and sum(_same_video(a.video, x.video) for x in first) == 1
        matches = exact or matches or (same_video if alone else [])
        if len(matches) > 1:
            raise LabelFileError(
                a.source,
                f"{a.key} matches {len(matches)} scorings of the other source "
                f"({', '.join(b.key for b in matches)}); name the video and animal exactly",
            )
        if matches:
            b = matches[0]
            if id(b) in claimed:
                raise LabelFileError(
                    b.source, f"{b.key} matches both {claimed[id(b)].key} and {a.key} of the other source"
                )
            claimed[id(b)] = a
            pairs.append((a, b))
    only_first = tuple(a for a in first if all(a is not p[0] for p in pairs))
    only_second = tuple(b for b in second if id(b) not in claimed)
    return Pairing(tuple(pairs), only_first, only_second)


def common_grid(
    scorings: Sequence[Scoring], grid_fps: float, end_s: float | None
) -> tuple[np.ndarray, float]:
    """The frame times scorings of one animal compare on: one's own frame times, else a grid at ``grid_fps``.

    Bout tables compare on a grid reaching the window's end (or the last bout): after its last bout a
    rater scored the animal mobile.
    """
    for scoring in scorings:
        if scoring.timestamps is not None and scoring.fps is not None:
            return scoring.timestamps, scoring.fps
    sizes = [s.frames.size for s in scorings if s.frames is not None]
    if sizes:
        n = sizes[0]
    else:
        ends = [float(s.bouts[:, 1].max()) for s in scorings if s.bouts is not None and s.bouts.size]
        n = math.ceil(max([*ends, end_s or 0.0]) * grid_fps - 1e-9)
    return np.arange(n, dtype=np.float64) / grid_fps, grid_fps


def has_frames(scoring: Scoring) -> bool:
    """Whether the scoring says the state of each frame (per-frame or bouts), not only seconds."""
    return scoring.frames is not None or scoring.bouts is not None


def _timed(scoring: Scoring, timestamps: np.ndarray, fps: float) -> Scoring:
    """The scoring as frames on ``timestamps`` (bouts placed by time; bare frames given those times)."""
    return dataclasses.replace(scoring, frames=scoring.on_grid(timestamps), timestamps=timestamps, fps=fps)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Agreement of two sources: a row per matched animal, pooled per-frame agreement, seconds statistics."""

    rows: pd.DataFrame
    frames: FrameAgreement | None
    seconds: SecondsAgreement
    window: tuple[float, float | None]
    pairing: Pairing
    params: dict[str, Any] = field(default_factory=dict)


def compare_scorings(
    first: Sequence[Scoring],
    second: Sequence[Scoring],
    *,
    window_start_s: float = FST_SCORED_WINDOW_S[0],
    window_end_s: float | None = FST_SCORED_WINDOW_S[1],
    tolerance_s: float = 0.0,
    grid_fps: float = DEFAULT_GRID_FPS,
) -> Comparison:
    """Compare two sources (``first`` the reference) per frame and per video, in one scored window.

    Frames are compared where both scorings are per frame or bouts, inside the window and where both know
    the state, ignoring ``tolerance_s`` around each transition of the reference; seconds immobile in the
    window come from frames or bouts, or from a seconds table as it stands (a note says when its window
    differs). LabelFileError when no animal is matched.
    """
    pairing = pair_scorings(first, second)
    if not pairing.pairs:
        raise LabelFileError(
            first[0].source if first else "first source",
            "no video and animal in common with the other source; "
            f"first: {', '.join(s.key for s in first[:6]) or 'none'}; "
            f"second: {', '.join(s.key for s in second[:6]) or 'none'}",
        )
    window = (window_start_s, window_end_s)
    rows, per_video, blocks = [], [], []
    for a, b in pairing.pairs:
        row, agreement = _compare_pair(a, b, window, tolerance_s, grid_fps)
        if agreement is not None:
            per_video.append(agreement[0])
            blocks.extend(agreement[1])
        rows.append(row)
    if per_video and not sum(part.n_frames for part in per_video):
        raise LabelFileError(
            first[0].source,
            "no frame compared: no frame lies in the window where both scorings know the state; "
            + "; ".join(_overlap(a, b, window, grid_fps) for a, b in pairing.pairs),
        )
    pooled = agreement_with_intervals(per_video, blocks) if per_video else None
    table = pd.DataFrame(rows)
    finite = table[np.isfinite(table["first_s"]) & np.isfinite(table["second_s"])]
    return Comparison(
        rows=table,
        frames=pooled,
        seconds=seconds_agreement(finite["first_s"].to_numpy(), finite["second_s"].to_numpy()),
        window=(window_start_s, window_end_s),
        pairing=pairing,
        params={
            "window_start_s": window_start_s,
            "window_end_s": window_end_s,
            "tolerance_s": tolerance_s,
            "grid_fps": grid_fps,
        },
    )


def _compare_pair(
    a: Scoring, b: Scoring, window: tuple[float, float | None], tolerance_s: float, grid_fps: float
) -> tuple[dict[str, Any], tuple[FrameAgreement, list[FrameAgreement]] | None]:
    """One matched animal's row (frame agreement where both have frames, seconds in the window, notes).

    With the row come the animal's per-frame agreement and that of its contiguous time blocks.
    """
    row: dict[str, Any] = {"video": a.video, "animal": a.animal or b.animal}
    frames = None
    if has_frames(a) and has_frames(b):
        a, b, frames = _frame_agreement(a, b, window, tolerance_s, grid_fps)
        agreement = frames[0]
        row.update(
            frames=agreement.n_frames, accuracy=agreement.accuracy, f1=agreement.f1, kappa=agreement.kappa
        )
    notes = []
    for name, scoring in (("first_s", a), ("second_s", b)):
        row[name] = scoring.seconds_in(*window)
        note = _window_note(scoring, window)
        if note:
            notes.append(note)
    row["difference_s"] = row["second_s"] - row["first_s"]
    row["note"] = "; ".join(notes)
    return row, frames


def _frame_agreement(
    a: Scoring, b: Scoring, window: tuple[float, float | None], tolerance_s: float, grid_fps: float
) -> tuple[Scoring, Scoring, tuple[FrameAgreement, list[FrameAgreement]]]:
    """Both scorings on a common grid; their agreement in the window where both know, and by block."""
    start, end = window
    times, fps = common_grid((a, b), grid_fps, end)
    a, b = _timed(a, times, fps), _timed(b, times, fps)
    valid = (times >= start) & (times < (end if end is not None else np.inf))
    for scoring in (a, b):
        if scoring.known is not None:
            valid &= scoring.known
    first, second = a.on_grid(times), b.on_grid(times)
    agreement = frame_agreement_by_block(
        first, second, timestamps=times, tolerance_s=tolerance_s, valid=valid
    )
    return a, b, agreement


def _overlap(a: Scoring, b: Scoring, window: tuple[float, float | None], grid_fps: float) -> str:
    """What two paired scorings cover, and the window: why they have no frame in common."""
    start, end = window
    until = f"{end:g} s" if end is not None else "the end"
    return (
        f"{a.key} ({a.source}) covers {_span(a, grid_fps)}, {b.key} ({b.source}) {_span(b, grid_fps)}; "
        f"the window is {start:g} s to {until}"
    )


def _span(scoring: Scoring, grid_fps: float) -> str:
    """The time a scoring says the state of: its known frames, its bouts, or its frames on the grid."""
    if scoring.frames is not None and scoring.timestamps is not None:
        times = scoring.timestamps if scoring.known is None else scoring.timestamps[scoring.known]
        return f"{times[0]:g}-{times[-1]:g} s" if times.size else "no frame with a state"
    if scoring.frames is not None:
        return f"{scoring.frames.size} frames (0-{scoring.frames.size / grid_fps:g} s at {grid_fps:g} fps)"
    if scoring.bouts is not None and scoring.bouts.size:
        return f"bouts {scoring.bouts[:, 0].min():g}-{scoring.bouts[:, 1].max():g} s"
    return "no bout"


def _window_note(scoring: Scoring, window: tuple[float, float | None]) -> str | None:
    """A note when a seconds table's row covers another window than the one compared."""
    if scoring.seconds is None or scoring.seconds_window is None or scoring.seconds_window == window:
        return None
    start, end = scoring.seconds_window
    until = f"{end:g}" if end is not None else "the end"
    return f"{scoring.key} in {scoring.source} covers {start:g}-{until} s"


@dataclass(frozen=True, eq=False)
class CalibrationInputs:
    """Human-scored videos ready to calibrate on, and what the machine signals were scored with."""

    videos: tuple[CalibrationVideo, ...]
    method: MethodName | None
    params: ScoringParams | None
    signal_options: dict[str, Any]
    pairing: Pairing


def _pooled_options(scoring: Scoring) -> Mapping[str, Any]:
    """The signal options that must agree to pool: all but the camera's (frame rate, pixel scale)."""
    if scoring.method is None:
        return scoring.signal_options
    return METHODS[scoring.method].preset_options(scoring.signal_options)


def calibration_inputs(labels: Sequence[Scoring], machine: Sequence[Scoring]) -> CalibrationInputs:
    """Pair human labels with machine signals of the same animals; check the signals are alike.

    Every signal must come from the same method with the same scoring parameters and signal options (one
    preset fits one signal), the camera's frame rate and pixel scale aside (the calibration puts the
    recordings on one time base); a pose signal must be in cm/s (scored with a pixel scale), so the fitted
    threshold holds for other set-ups. LabelFileError names the scoring that does not fit.
    """
    pairing = pair_scorings(labels, machine)
    videos = []
    for human, signal in pairing.pairs:
        if signal.signal is None or signal.timestamps is None or signal.fps is None:
            raise LabelFileError(signal.source, f"{signal.key} has no per-frame signal to calibrate on")
        if signal.units is not None and signal.units.startswith("px"):
            raise LabelFileError(
                signal.source,
                f"{signal.key}: the pose signal is in {signal.units}; score it with a pixel scale "
                "(px_per_cm or tank_diameter_px) so that the fitted threshold is in cm/s",
            )
        if has_frames(human):
            frames = human.on_grid(signal.timestamps)
            videos.append(
                CalibrationVideo(
                    signal.key, signal.signal, signal.fps, labels=frames, timestamps=signal.timestamps
                )
            )
        else:
            videos.append(
                CalibrationVideo(
                    signal.key, signal.signal, signal.fps, human_s=human.seconds, timestamps=signal.timestamps
                )
            )
    signals = [signal for _, signal in pairing.pairs]
    alike: tuple[tuple[str, Callable[[Scoring], object]], ...] = (
        ("method", lambda s: s.method),
        ("scoring parameters", lambda s: s.params),
        ("signal options", _pooled_options),
    )
    for what, value in alike:
        values = [value(s) for s in signals]
        if any(v != values[0] for v in values):
            odd = next(s for s, v in zip(signals, values, strict=True) if v != values[0])
            raise LabelFileError(
                odd.source,
                f"{odd.key} was scored with other {what} than {signals[0].key}; calibrate on signals "
                "scored alike (one batch)",
            )
    first = signals[0] if signals else None
    return CalibrationInputs(
        tuple(videos),
        first.method if first else None,
        first.params if first else None,
        dict(first.signal_options) if first else {},
        pairing,
    )


__all__ = [
    "DEFAULT_GRID_FPS",
    "CalibrationInputs",
    "Comparison",
    "Pairing",
    "calibration_inputs",
    "common_grid",
    "compare_scorings",
    "has_frames",
    "pair_scorings",
]
