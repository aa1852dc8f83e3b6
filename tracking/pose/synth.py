"""Synthetic DeepLabCut-like pose tracks of forced-swim mice with exactly known per-frame immobility.

A mouse is a rigid set of body parts (nose, ears, body centre, tail base, four paws; offsets in cm in the
body's frame) whose centre and heading move through the tank. While mobile it swims: the centre moves at
swimming speed and turns, the body bends and the head sways at the stroke rate, and the paws paddle, each
with its own phase. While immobile it floats: the paws and body are still but the whole body is carried by
the water (passive drift of ``drift_cm_s`` with the current circling the tank, and a slow rotation), with a
small head bob to keep the nose above water. The switch between the two takes ``transition_s``. Then the
nuisances of real pose estimates: Gaussian jitter of every coordinate, and likelihood dropouts (runs of
frames where a point's likelihood is low and its location a wrong, distant point, as when a paw is occluded).

Ground truth uses the convention of :mod:`tracking.synth.truth`: frame ``t`` is shown at ``t / fps`` seconds
and is immobile when an immobile bout covers that time. Bouts come from
:func:`tracking.synth.truth.random_bouts`.

Notes
-----
Mouse swimming: paddling at several strokes per second with the hind limbs, fore limbs also used while
climbing; floating mice hold the limbs still and drift (Porsolt et al. 1977; Can et al. 2012, JoVE 59:e3638).
Real DeepLabCut jitter on a still animal is of the order of a pixel or two (Mathis et al. 2018); likelihoods
of well-tracked points are close to 1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracking.pose.io import write_dlc
from tracking.pose.tracks import PoseTracks
from tracking.rules.presets import FST_DURATION_S
from tracking.synth.truth import Bout, bouts_to_frames, random_bouts

#: Body parts and their positions (cm) in the body frame: x forward along the body, y to the left.
BODY_PLAN: dict[str, tuple[float, float]] = {
    "nose": (3.2, 0.0),
    "left_ear": (2.2, 0.7),
    "right_ear": (2.2, -0.7),
    "centre": (0.0, 0.0),
    "tail_base": (-3.2, 0.0),
    "left_forepaw": (1.6, 1.0),
    "right_forepaw": (1.6, -1.0),
    "left_hindpaw": (-1.6, 1.1),
    "right_hindpaw": (-1.6, -1.1),
}
_PAWS = ("left_forepaw", "right_forepaw", "left_hindpaw", "right_hindpaw")
SYNTH_SCORER = "DLC_Resnet50_synthfstNov25shuffle1_snapshot_best-100"


@dataclass(frozen=True)
class PoseSynthConfig:
    """Parameters of the synthetic tracks (lengths in cm unless named ``_px``)."""

    duration_s: float = FST_DURATION_S
    fps: float = 30.0
    px_per_cm: float = 10.0
    tank_radius_cm: float = 10.0
    immobile_fraction: float = 0.5
    swim_speed_cm_s: float = 6.0
    stroke_hz: float = 6.0
    paw_stroke_cm: float = 0.8
    head_sway_cm: float = 0.3
    drift_cm_s: float = 4.0
    float_rotation_deg_s: float = 4.0
    head_bob_cm: float = 0.05
    transition_s: float = 0.1
    jitter_px: float = 1.5
    dropout_fraction: float = 0.07
    dropout_mean_run_s: float = 0.1
    bodyparts: tuple[str, ...] = tuple(BODY_PLAN)


@dataclass(frozen=True, eq=False)
class SynthPose:
    """Synthetic tracks, per-individual ground truth (``immobile``: ``(n_frames, n_individuals)`` 0/1)."""

    tracks: PoseTracks
    immobile: np.ndarray
    bouts: tuple[tuple[Bout, ...], ...]
    config: PoseSynthConfig
    seed: int
    params: dict[str, Any] = field(default_factory=dict)

    def truth(self, individual: str) -> np.ndarray:
        """Per-frame truth (bool) of one individual."""
        return self.immobile[:, self.tracks.individuals.index(individual)].astype(bool)


def _lowpass(values: np.ndarray, fps: float, tau_s: float) -> np.ndarray:
    """First-order low-pass (exponential smoothing with time constant ``tau_s``) along axis 0."""
    if tau_s <= 0:
        return values
    alpha = 1.0 - np.exp(-1.0 / (tau_s * fps))
    out = np.empty_like(values)
    out[0] = values[0]
    for t in range(1, values.shape[0]):
        out[t] = out[t - 1] + alpha * (values[t] - out[t - 1])
    return out


def _smooth_noise(n: int, fps: float, tau_s: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance noise varying on a time scale ``tau_s`` (low-passed white noise, renormalised)."""
    noise = _lowpass(rng.standard_normal(n), fps, tau_s)
    return noise / max(float(noise.std()), 1e-12)


def _animal(
    immobile: np.ndarray, config: PoseSynthConfig, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """True body-part positions (cm, tank-centred) ``(n_frames, n_parts)`` for x and y."""
    n, fps = immobile.size, config.fps
    mobile = _lowpass((~immobile).astype(np.float64), fps, config.transition_s)
    t = np.arange(n) / fps
    float_turn = np.deg2rad(config.float_rotation_deg_s)
    heading_rate = mobile * 2.0 * _smooth_noise(n, fps, 0.7, rng) + (1 - mobile) * float_turn * _smooth_noise(
        n, fps, 3.0, rng
    )
    drift_angle = rng.uniform(0, 2 * np.pi) + np.cumsum(0.3 * _smooth_noise(n, fps, 5.0, rng)) / fps
    swim = config.swim_speed_cm_s * (1 + 0.3 * _smooth_noise(n, fps, 1.0, rng))
    limit = config.tank_radius_cm - 3.5
    swirl = rng.choice([-1.0, 1.0])
    heading, cx, cy = np.empty(n), np.empty(n), np.empty(n)
    angle, px, py = rng.uniform(0, 2 * np.pi), 0.0, 0.0
    for i in range(n):
        outward = np.cos(angle) * px + np.sin(angle) * py
        if np.hypot(px, py) > limit - 1.0 and outward > 0:  # near the wall a swimming mouse turns inwards
            heading_rate[i] += mobile[i] * 6.0 * np.sign(np.sin(angle) * px - np.cos(angle) * py + 1e-9)
        angle += heading_rate[i] / fps
        step = mobile[i] * swim[i] / fps
        drift = (1 - mobile[i]) * config.drift_cm_s / fps
        radius = np.hypot(px, py)
        if radius > 1.0:  # the current circles the tank
            drift_x, drift_y = -swirl * py / radius, swirl * px / radius
        else:
            drift_x, drift_y = np.cos(drift_angle[i]), np.sin(drift_angle[i])
        px += step * np.cos(angle) + drift * drift_x
        py += step * np.sin(angle) + drift * drift_y
        radius = np.hypot(px, py)
        if radius > limit:  # the wall stops the body
            px, py = px * limit / radius, py * limit / radius
        heading[i], cx[i], cy[i] = angle, px, py
    phase = 2 * np.pi * config.stroke_hz * t
    parts = config.bodyparts
    bx = np.array([BODY_PLAN[p][0] for p in parts])[None, :].repeat(n, 0)
    by = np.array([BODY_PLAN[p][1] for p in parts])[None, :].repeat(n, 0)
    for k, part in enumerate(parts):
        offset = rng.uniform(0, 2 * np.pi)
        if part in _PAWS:
            bx[:, k] += mobile * config.paw_stroke_cm * np.sin(phase + offset)
            by[:, k] += mobile * 0.3 * config.paw_stroke_cm * np.cos(phase + offset)
        else:
            reach = BODY_PLAN[part][0] / 3.2
            by[:, k] += mobile * config.head_sway_cm * reach * np.sin(phase / 2 + offset)
            bx[:, k] += (
                (1 - mobile) * config.head_bob_cm * max(reach, 0) * np.sin(2 * np.pi * 0.8 * t + offset)
            )
    cos, sin = np.cos(heading)[:, None], np.sin(heading)[:, None]
    return cx[:, None] + cos * bx - sin * by, cy[:, None] + sin * bx + cos * by


def _dropouts(shape: tuple[int, int], config: PoseSynthConfig, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of low-likelihood points: runs of geometric length starting at random frames."""
    mean_run = max(config.dropout_mean_run_s * config.fps, 1.0)
    starts = rng.random(shape) < config.dropout_fraction / mean_run
    mask = np.zeros(shape, dtype=bool)
    for t, k in zip(*np.nonzero(starts), strict=True):
        mask[t : t + int(rng.geometric(1.0 / mean_run)), k] = True
    return mask


def tank_centre_px(config: PoseSynthConfig, index: int) -> tuple[float, float]:
    """Pixel centre of the tank of individual ``index``: tanks side by side, 2.4 radii apart."""
    spacing = 2.4 * config.tank_radius_cm * config.px_per_cm
    return (index + 0.5) * spacing, 0.6 * spacing


def synth_pose_tracks(
    *,
    config: PoseSynthConfig | None = None,
    individuals: Sequence[str] = ("animal",),
    seed: int = 0,
    bouts: Sequence[Sequence[Bout]] | None = None,
) -> SynthPose:
    """Synthetic tracks of one or more mice (one per tank), with random or given immobile bouts."""
    config = config if config is not None else PoseSynthConfig()
    rng = np.random.default_rng(seed)
    n = round(config.duration_s * config.fps)
    if bouts is None:
        bouts = [random_bouts(config.duration_s, config.immobile_fraction, rng) for _ in individuals]
    if len(bouts) != len(individuals):
        raise ValueError(f"{len(bouts)} bout lists for {len(individuals)} individuals")
    shape = (n, len(individuals), len(config.bodyparts))
    x, y, likelihood = np.empty(shape), np.empty(shape), np.empty(shape)
    immobile = np.zeros((n, len(individuals)), dtype=np.uint8)
    for i in range(len(individuals)):
        immobile[:, i] = bouts_to_frames(bouts[i], n, config.fps)
        xs, ys = _animal(immobile[:, i].astype(bool), config, rng)
        centre_x, centre_y = tank_centre_px(config, i)
        x[:, i] = centre_x + xs * config.px_per_cm + rng.normal(0, config.jitter_px, xs.shape)
        y[:, i] = centre_y + ys * config.px_per_cm + rng.normal(0, config.jitter_px, ys.shape)
        likelihood[:, i] = 1.0 - rng.beta(1.0, 60.0, xs.shape)
        dropped = _dropouts(xs.shape, config, rng)
        likelihood[:, i][dropped] = rng.uniform(0.02, 0.6, int(dropped.sum()))
        x[:, i][dropped] += rng.normal(0, 25.0, int(dropped.sum()))
        y[:, i][dropped] += rng.normal(0, 25.0, int(dropped.sum()))
    tracks = PoseTracks(
        x, y, likelihood, config.bodyparts, tuple(individuals), config.fps, "synthetic", SYNTH_SCORER
    )
    params = {"config": config.__dict__.copy(), "seed": seed, "frame_convention": "frame t at t / fps s"}
    return SynthPose(tracks, immobile, tuple(tuple(b) for b in bouts), config, seed, params)


#: Share of an empty tank's points DeepLabCut finds with a high likelihood anyway (a reflection, the rim).
FALSE_DETECTION_FRACTION = 0.02


def with_lead_in(synth: SynthPose, entries_s: Sequence[float], *, seed: int = 0) -> SynthPose:
    """The tracks with each tank empty until its mouse is lowered in at ``entries_s`` (s of video time).

    Parameters
    ----------
    synth
        Synthetic tracks of mice in the water from the first frame.
    entries_s
        Per individual, the video time (s) of its entry; 0 keeps it present from the first frame.
    seed
        Seed of the lead-in's likelihoods and positions.

    Returns
    -------
    SynthPose
        The same tracks and truth, but before each entry every point is where an empty tank's score map
        peaks: anywhere in the tank, at a low likelihood (0.01-0.5), except for
        :data:`FALSE_DETECTION_FRACTION` of the points found with a high one (0.9-1). The entries are in
        ``params["entries_s"]``.
    """
    tracks = synth.tracks
    if len(entries_s) != len(tracks.individuals):
        raise ValueError(f"{len(entries_s)} entries for {len(tracks.individuals)} individuals")
    rng = np.random.default_rng(seed)
    x, y, likelihood = tracks.x.copy(), tracks.y.copy(), tracks.likelihood.copy()
    radius_px = synth.config.tank_radius_cm * synth.config.px_per_cm
    for i, entry_s in enumerate(entries_s):
        empty = slice(0, round(entry_s * synth.config.fps))
        shape = likelihood[empty, i].shape
        centre_x, centre_y = tank_centre_px(synth.config, i)
        x[empty, i] = centre_x + rng.uniform(-radius_px, radius_px, shape)
        y[empty, i] = centre_y + rng.uniform(-radius_px, radius_px, shape)
        false = rng.random(shape) < FALSE_DETECTION_FRACTION
        likelihood[empty, i] = np.where(false, rng.uniform(0.9, 1.0, shape), rng.uniform(0.01, 0.5, shape))
    params = {**synth.params, "entries_s": [float(e) for e in entries_s], "lead_in_seed": seed}
    return dataclasses.replace(synth, tracks=tracks.replace(x=x, y=y, likelihood=likelihood), params=params)


def write_synth_pose(synth: SynthPose, folder: str | Path, video_stem: str, *, suffix: str = ".h5") -> Path:
    """Write the tracks as DeepLabCut would name them next to ``<video_stem>.mp4``: ``<stem><scorer>.h5``."""
    return write_dlc(synth.tracks, Path(folder) / f"{video_stem}{synth.tracks.scorer}{suffix}")
