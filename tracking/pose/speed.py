"""The pose signal: per-frame movement of one animal, in cm/s, from cleaned pose tracks.

Three signals, chosen by :attr:`PoseSignalParams.kind`:

- ``speed``: the body's speed, the magnitude of the robust (median by default) velocity of the chosen body
  parts. What freezing means: the whole animal is still.
- ``relative``: how fast the body parts move relative to the body, the mean (or median) over parts of
  ``|v_part - v_body|``. Passive drift moves every part with the body and cancels; paddling limbs, a turning
  head and a bending body do not. The forced-swim and tail-suspension default.
- ``acceleration``: the magnitude of the body's acceleration (cm/s^2), as DLCAnalyzer scores floating.

Notes
-----
A floating mouse is carried by the water: its own swimming sets the water circling the cylinder, and the
current moves it at one to several cm/s while it is immobile in Porsolt's sense (no movement beyond keeping
the head above water), as fast as a slowly swimming mouse moves. Body speed counts that drift as movement.
The signals were compared on the synthetic tracks of :mod:`tracking.pose.synth` (30 fps, 1.5-px jitter at
10 px/cm, 7% likelihood dropouts, swimming at about 6 cm/s with 6-Hz paw strokes, passive drift at 4 cm/s
around the tank; the ``fst`` pose preset with its adaptive threshold and a 0.5-s rolling median; mean
per-frame agreement with the truth over four 6-minute tracks): body speed 0.94, body acceleration 0.98
(0.96 with the median over parts), relative motion 0.99. With the drift at 1.5 cm/s body speed reaches
0.99 too, and at 6 cm/s it falls further (see the tests). Acceleration is blind to smooth drift but
differentiates twice, so pose jitter weighs on it; relative motion needs one derivative and is zero for any
rigid translation of the body, whatever its speed. The relative signal averages over parts
(``aggregate="mean"``): the parts that move while swimming (the paws) are a minority of a typical body-part
set, and without the rolling median a median over parts ignores them (0.96 against 0.99). The body
velocity it subtracts is the same average. It needs at least two body parts, and parts that move during
swimming (paws, head, tail base) make it sensitive: with nose and tail base alone it sees turning and
bending only. Sturman et al. (2020), Neuropsychopharmacology 45:1942-1952 (DLCAnalyzer) score floating in
the swim test from body-part acceleration; the ``acceleration`` kind follows them.

Freezing is the stillness of the whole animal, head included: the ``still`` signal is the larger of the
head's and the trunk's speeds (:mod:`tracking.pose.bodyparts` gives the evidence on real tracks). Real
DeepLabCut jitter at rest is large and shared: on BehaviorDEPOT's demo2 recording (30 fps, 23 px/cm) a part
of a freezing mouse moves about 2 px per frame, the frame-to-frame steps of different parts correlate at
0.4-0.8 (the whole image jitters, so averaging parts does not remove it) and successive steps at -0.4 to
-0.5 (white noise in position). Smoothing over time removes it, at the cost of blurring bout edges: on demo2
the ``still`` signal with its adaptive threshold (0.5-s minimum bout) agrees with the person on 0.897 of
frames smoothed over 0.3 s (+9.0 s; threshold flagged untrustworthy: the still mode merges with the jitter),
0.923 over 0.4 s (+2.2 s), 0.916 over 0.5 s and 0.904 over 0.6 s; time-blocked cross-validation chose 0.4 s
in four folds of five. Wrong points are rarer than jitter: a part is below the 0.9 likelihood cut in 1-6% of
frames (``midtail`` 58%), and of the one-frame jumps over 15 px (0.65 cm; 25-120 per head or trunk part in
3,600 frames, the LED and nose most), the cut removes 41-92% (the LED's 62%); the median
over each group's parts outvotes the rest. A Hampel filter on positions before smoothing (7 or 15 frames,
as BehaviorDEPOT filters) changed agreement by -0.012 to +0.009 and is not applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from tracking.pose.bodyparts import BodyGroups, group_bodyparts
from tracking.pose.clean import (
    DEFAULT_MAX_GAP_S,
    DEFAULT_MIN_LIKELIHOOD,
    SmoothMethod,
    filter_likelihood,
    find_gaps,
    interpolate_gaps,
    smooth_tracks,
)
from tracking.pose.io import DLC_UNIQUE_BODYPARTS
from tracking.pose.tracks import PoseFileError, PoseTracks

SignalKind = Literal["speed", "relative", "acceleration", "still"]
Aggregate = Literal["median", "mean"]
#: Inner diameter of the mouse forced-swim cylinder (cm; Can et al. 2012).
DEFAULT_TANK_DIAMETER_CM = 20.0
#: Warn when more than this fraction of the tracked points fall below the likelihood cutoff.
POOR_TRACKING_FRACTION = 0.5


@dataclass(frozen=True)
class PoseSignalParams:
    """How a pose signal is made: which signal, from which body parts, cleaned and scaled how."""

    kind: SignalKind = "relative"
    bodyparts: tuple[str, ...] | None = None
    aggregate: Aggregate = "mean"
    min_likelihood: float = DEFAULT_MIN_LIKELIHOOD
    max_gap_s: float = DEFAULT_MAX_GAP_S
    smooth: SmoothMethod = "savgol"
    smooth_window_s: float = 0.2
    polyorder: int = 2
    px_per_cm: float | None = None
    tank_diameter_px: float | None = None
    tank_diameter_cm: float = DEFAULT_TANK_DIAMETER_CM

    def __post_init__(self) -> None:
        if self.bodyparts is not None:
            object.__setattr__(self, "bodyparts", tuple(self.bodyparts))
        validate_signal_params(self)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict."""
        values = dataclasses.asdict(self)
        values["bodyparts"] = list(self.bodyparts) if self.bodyparts is not None else None
        return values

    def replace(self, **changes: Any) -> PoseSignalParams:
        """A validated copy with some parameters changed."""
        return dataclasses.replace(self, **changes)


def validate_signal_params(params: PoseSignalParams) -> None:
    """Raise ValueError listing every parameter that is out of range, with what is accepted."""
    problems = []
    if params.kind not in get_args(SignalKind):
        problems.append(f"kind = {params.kind!r}; expected speed, relative, acceleration or still")
    if params.aggregate not in ("median", "mean"):
        problems.append(f"aggregate = {params.aggregate!r}; expected median or mean")
    if params.smooth not in ("savgol", "median", "none"):
        problems.append(f"smooth = {params.smooth!r}; expected savgol, median or none")
    if not 0.0 <= params.min_likelihood <= 1.0:
        problems.append(f"min_likelihood = {params.min_likelihood!r}; expected a number in [0, 1]")
    if not (params.max_gap_s >= 0 and np.isfinite(params.max_gap_s)):
        problems.append(f"max_gap_s = {params.max_gap_s!r}; expected seconds >= 0")
    if not 0 < params.smooth_window_s <= 5:
        problems.append(f"smooth_window_s = {params.smooth_window_s!r}; expected seconds in (0, 5]")
    if params.polyorder not in (1, 2, 3, 4):
        problems.append(f"polyorder = {params.polyorder!r}; expected 1 to 4")
    for name in ("px_per_cm", "tank_diameter_px", "tank_diameter_cm"):
        value = getattr(params, name)
        if value is not None and not (np.isfinite(value) and value > 0):
            problems.append(f"{name} = {value!r}; expected a number > 0")
    if params.bodyparts is not None and not params.bodyparts:
        problems.append("bodyparts is empty; give None for all body parts")
    if problems:
        raise ValueError("; ".join(problems))


#: Pose signal per scoring preset: drift-robust relative motion for the swim and tail-suspension tests,
#: the larger of head and trunk speeds smoothed over 0.4 s for freezing (see the module Notes). Other
#: (calibrated) presets use the signal given with them, else ``relative``.
SIGNAL_PRESETS: dict[str, PoseSignalParams] = {
    "fst": PoseSignalParams(kind="relative", aggregate="mean"),
    "tst": PoseSignalParams(kind="relative", aggregate="mean"),
    "freezing": PoseSignalParams(kind="still", aggregate="median", smooth_window_s=0.4),
}


def signal_params_for(preset: str, **overrides: Any) -> PoseSignalParams:
    """The pose signal parameters of a scoring preset (``fst``'s for presets not listed), with overrides."""
    return SIGNAL_PRESETS.get(preset, SIGNAL_PRESETS["fst"]).replace(**overrides)


def pixel_scale(
    px_per_cm: float | None = None,
    tank_diameter_px: float | None = None,
    tank_diameter_cm: float = DEFAULT_TANK_DIAMETER_CM,
) -> float | None:
    """Pixels per cm: given, or the tank's diameter in pixels over its diameter in cm; None if neither."""
    if px_per_cm is not None and tank_diameter_px is not None:
        raise ValueError("give px_per_cm or tank_diameter_px, not both")
    if px_per_cm is not None:
        return float(px_per_cm)
    if tank_diameter_px is not None:
        return float(tank_diameter_px) / float(tank_diameter_cm)
    return None


def point_velocities(tracks: PoseTracks, scale: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-point velocity components ``(vx, vy)``, ``(n_frames, n_individuals, n_bodyparts)``, in cm/s.

    Central differences (one-sided at the ends and next to NaN) over the frame interval; in px/s when
    ``scale`` is None. A point unknown in a frame or both its neighbours gives NaN.
    """
    if tracks.fps is None:
        raise PoseFileError(tracks.source, "the frame rate is unknown: give fps")
    if tracks.n_frames < 2:
        raise PoseFileError(tracks.source, f"{tracks.n_frames} frame(s): a speed needs at least two")
    factor = float(tracks.fps) / (scale if scale is not None else 1.0)
    return _gradient(tracks.x) * factor, _gradient(tracks.y) * factor


def _gradient(values: np.ndarray) -> np.ndarray:
    """Central difference along frames, falling back to a one-sided difference where a neighbour is NaN."""
    forward = np.full_like(values, np.nan)
    backward = np.full_like(values, np.nan)
    forward[:-1] = values[1:] - values[:-1]
    backward[1:] = values[1:] - values[:-1]
    central = (forward + backward) / 2.0
    return np.where(np.isnan(central), np.where(np.isnan(forward), backward, forward), central)


def _combine(values: np.ndarray, aggregate: Aggregate, axis: int = -1) -> np.ndarray:
    """Median or mean over ``axis`` ignoring NaN (NaN where all are NaN), without RuntimeWarnings."""
    known = np.isfinite(values).sum(axis=axis)
    filled = np.where(np.isfinite(values), values, 0.0)
    if aggregate == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = filled.sum(axis=axis) / known
    else:
        ordered = np.sort(np.where(np.isfinite(values), values, np.inf), axis=axis)
        ordered = np.moveaxis(ordered, axis, -1)
        low = np.clip((known - 1) // 2, 0, None)
        high = np.clip(known // 2, 0, None)
        out = (
            np.take_along_axis(ordered, low[..., None], -1)[..., 0]
            + np.take_along_axis(ordered, high[..., None], -1)[..., 0]
        ) / 2.0
    return np.where(known > 0, out, np.nan)


def movement_signal(
    vx: np.ndarray,
    vy: np.ndarray,
    fps: float,
    kind: SignalKind,
    aggregate: Aggregate = "median",
    groups: Sequence[Sequence[int]] = (),
) -> np.ndarray:
    """Per-frame signal of one animal from its points' velocities ``(n_frames, n_parts)``.

    ``speed``: magnitude of the body velocity (per-axis median or mean over parts); ``relative``: median or
    mean over parts of each part's speed relative to the body velocity (NaN with fewer than two parts known);
    ``acceleration``: magnitude of the body velocity's rate of change (central differences); ``still``: the
    largest over ``groups`` (column indices, e.g. head and trunk) of each group's speed, NaN where no group
    is known.
    """
    if kind == "still":
        speeds = np.stack([movement_signal(vx[:, g], vy[:, g], fps, "speed", aggregate) for g in groups], 1)
        largest: np.ndarray = np.max(np.where(np.isfinite(speeds), speeds, -np.inf), axis=1)
        return np.where(np.isfinite(speeds).any(axis=1), largest, np.nan)
    body_x, body_y = _combine(vx, aggregate), _combine(vy, aggregate)
    if kind == "speed":
        speed: np.ndarray = np.hypot(body_x, body_y)
        return speed
    if kind == "acceleration":
        acceleration: np.ndarray = np.hypot(_gradient(body_x), _gradient(body_y)) * fps
        return acceleration
    known = np.isfinite(vx) & np.isfinite(vy)
    relative = np.hypot(vx - body_x[:, None], vy - body_y[:, None])
    out = _combine(np.where(known, relative, np.nan), aggregate)
    return np.where(known.sum(axis=1) >= 2, out, np.nan)


@dataclass(frozen=True, eq=False)
class PoseSignal:
    """One animal's per-frame pose signal, its timestamps and everything applied to make it."""

    individual: str
    signal: np.ndarray
    timestamps: np.ndarray
    fps: float
    units: str
    params: dict[str, Any]
    long_gaps: pd.DataFrame
    warnings: tuple[str, ...] = field(default_factory=tuple)


def pose_signals(
    tracks: PoseTracks, params: PoseSignalParams | None = None, *, individuals: Sequence[str] | None = None
) -> list[PoseSignal]:
    """Clean the tracks and compute the pose signal of each individual (default: all but DLC's ``single``).

    Parameters
    ----------
    tracks
        Pose tracks in pixels, with their frame rate (fps) known.
    params
        Which signal and how the tracks are cleaned and scaled; default: the ``fst`` preset's.
    individuals
        The individuals to compute a signal for.

    Returns
    -------
    list of PoseSignal
        One per individual: the per-frame signal in cm/s (cm/s^2 for ``acceleration``), or px/s (px/s^2)
        without a pixel scale, NaN where unknown; timestamps in seconds; the gaps left and the warnings.

    Notes
    -----
    Order: :func:`~tracking.pose.clean.filter_likelihood`, :func:`~tracking.pose.clean.interpolate_gaps`,
    :func:`~tracking.pose.clean.smooth_tracks`, :func:`point_velocities`, :func:`movement_signal`. A frame
    where no chosen body part is known (or fewer than two for ``relative``) is NaN; the bout rule treats NaN
    frames as unknown. Gaps left after interpolation are listed in ``long_gaps`` and summarised in the
    warnings, as is poor tracking (most points below the likelihood cutoff, as in an undertrained network).
    """
    params = params if params is not None else SIGNAL_PRESETS["fst"]
    chosen, groups = _chosen_tracks(tracks, params, individuals)
    columns = (
        [[chosen.bodyparts.index(name) for name in group] for group in groups.scored()] if groups else []
    )
    scale = pixel_scale(params.px_per_cm, params.tank_diameter_px, params.tank_diameter_cm)
    filtered = filter_likelihood(chosen, params.min_likelihood)
    bridged = interpolate_gaps(filtered, params.max_gap_s)
    smoothed = smooth_tracks(bridged, params.smooth_window_s, params.smooth, params.polyorder)
    vx, vy = point_velocities(smoothed, scale)
    fps = smoothed.frame_rate()
    timestamps = smoothed.timestamps()
    gaps = find_gaps(bridged, params.max_gap_s)
    units = {"acceleration": "cm/s^2"}.get(params.kind, "cm/s")
    units = units if scale is not None else units.replace("cm", "px")
    signals = []
    for index, individual in enumerate(smoothed.individuals):
        signal = movement_signal(vx[:, index], vy[:, index], fps, params.kind, params.aggregate, columns)
        own_gaps = gaps[gaps["individual"] == individual].reset_index(drop=True)
        warnings = _warnings(chosen, index, params, own_gaps, signal, scale)
        warnings += groups.warnings() if groups is not None else ()
        provenance = _provenance(smoothed, individual, params, units, scale, own_gaps, signal)
        if groups is not None:
            provenance["groups"] = groups.to_dict()
        signals.append(PoseSignal(individual, signal, timestamps, fps, units, provenance, own_gaps, warnings))
    return signals


def _chosen_tracks(
    tracks: PoseTracks, params: PoseSignalParams, individuals: Sequence[str] | None
) -> tuple[PoseTracks, BodyGroups | None]:
    """The individuals (default: all but DeepLabCut's ``single``) and body parts the signal is made from.

    The ``still`` signal also gets its body-part groups; without chosen parts, tail and limbs are left out.
    """
    if individuals is None:
        animals = [i for i in tracks.individuals if i != DLC_UNIQUE_BODYPARTS]
        individuals = animals or list(tracks.individuals)
    chosen = tracks.select(individuals, params.bodyparts)
    if params.kind == "still":
        groups = group_bodyparts(chosen.bodyparts, chosen=params.bodyparts is not None)
        return chosen.select(individuals, groups.head + groups.trunk), groups
    if params.kind == "relative" and len(chosen.bodyparts) < 2:
        raise PoseFileError(
            tracks.source,
            f"the relative signal needs at least two body parts; chosen: {', '.join(chosen.bodyparts)}",
        )
    return chosen, None


def _provenance(
    smoothed: PoseTracks,
    individual: str,
    params: PoseSignalParams,
    units: str,
    scale: float | None,
    gaps: pd.DataFrame,
    signal: np.ndarray,
) -> dict[str, Any]:
    """What one individual's signal was made from and how, as its result records it."""
    return {
        "method": "pose",
        "source": smoothed.source,
        "scorer": smoothed.scorer,
        "individual": individual,
        "bodyparts": list(smoothed.bodyparts),
        "units": units,
        "px_per_cm": scale,
        "signal": params.to_dict(),
        "history": [dict(step) for step in smoothed.history],
        "n_long_gaps": len(gaps),
        "nan_fraction": float(np.isnan(signal).mean()),
    }


def _warnings(
    tracks: PoseTracks,
    index: int,
    params: PoseSignalParams,
    gaps: pd.DataFrame,
    signal: np.ndarray,
    scale: float | None,
) -> tuple[str, ...]:
    found = []
    likelihood = tracks.likelihood[:, index]
    below = float(np.mean(~(likelihood >= params.min_likelihood)))
    if below > POOR_TRACKING_FRACTION:
        median = float(np.nanmedian(likelihood)) if np.isfinite(likelihood).any() else float("nan")
        found.append(
            f"{below:.0%} of tracked points are below the likelihood cutoff {params.min_likelihood:g} "
            f"(median likelihood {median:.2f}): poor pose estimates; check or retrain the network"
        )
    if len(gaps):
        found.append(
            f"{len(gaps)} gap(s) longer than {params.max_gap_s:g} s left unfilled "
            f"({gaps['duration_s'].sum():.1f} s of body-part tracks)"
        )
    nan_fraction = float(np.isnan(signal).mean())
    if nan_fraction > 0.01:
        found.append(f"{nan_fraction:.1%} of frames have no pose signal")
    if scale is None:
        found.append("no pixel scale (px_per_cm or tank diameter): the signal is in pixels, not cm")
    return tuple(found)
