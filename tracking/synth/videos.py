"""Synthetic forced-swim-test videos with exactly known per-frame immobility.

Each tank is a lit disc with a darker rim on a dark background, seen from the side; in it a dark mouse-shaped
body (an ellipse with a head and four paws). During mobile stretches the mouse swims with vigorous strokes: it
moves and turns, its body wobbles at the stroke rate and its paws flicker. During immobile stretches it
floats: the paws are still and the body only drifts by a few hundredths of a pixel per frame. Real footage's
nuisances are added: water ripples (a low-amplitude moving texture in the water), a static reflection (glare
spot) on each tank, Gaussian camera noise and lossy compression (MPEG-4 Part 2 "mp4v" or H.264).

Ground truth follows the motion signal's convention: frame ``t`` is immobile when the movement from frame ``t
- 1`` to frame ``t`` is floating drift, so ``immobile[t]`` describes the same interval as ``signal[t]``. Frame
``t`` is shown at ``t / fps`` seconds; a bout ``(start_s, end_s)`` covers the frames with ``start_s <= t / fps
< end_s``; immobility seconds in a window count the immobile frames in it, each lasting ``1 / fps``.

Notes
-----
Tank and timing follow the mouse FST protocol (Can et al. 2012, JoVE 59:e3638: 6-minute test, last 4 minutes
scored). The random bout schedule starts with a mobile stretch (latency to first immobility), then alternates
gamma-distributed immobile and mobile bouts whose mean lengths give the requested immobile fraction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import cv2
import numpy as np

from tracking.rules.presets import FST_DURATION_S, FST_SCORED_WINDOW_S
from tracking.video.rois import CircleROI

Codec = Literal["mpeg4", "h264"]
Bout = tuple[float, float]

TRUTH_FORMAT = "behavlab-synth-truth"
_ENCODERS = {"mpeg4": ("mpeg4", {"qscale": "4"}), "h264": ("libx264", {"preset": "veryfast", "crf": "23"})}
_RIPPLE_PERIOD = 48
_NOISE_BANK = 24
_NOISE_OFFSET = 12
_BACKGROUND = 55.0
_WATER = 185.0
_RIM = 120.0
_MOUSE = 45.0


@dataclass(frozen=True)
class Nuisances:
    """The real-footage nuisances added to every frame (set an amplitude to 0 to leave it out)."""

    ripple_amplitude: float = 3.0
    """Peak grey-level amplitude of the moving ripple texture in the water."""
    ripple_wavelength_px: float = 24.0
    reflection_gain: float = 45.0
    """Grey levels added at the centre of each tank's static glare spot."""
    noise_sd: float = 2.0
    """Standard deviation of the Gaussian camera noise, grey levels (clipped at 3 sd)."""
    drift_px_per_frame: float = 0.04
    """Floating drift of an immobile mouse."""


@dataclass(frozen=True, eq=False)
class TankTruth:
    """Ground truth for one tank: its ROI, per-frame immobility (1 = immobile) and the immobile bouts."""

    label: str
    roi: CircleROI
    immobile: np.ndarray
    bouts: tuple[Bout, ...]
    fps: float

    def immobility_s(
        self, start_s: float = FST_SCORED_WINDOW_S[0], end_s: float = FST_SCORED_WINDOW_S[1]
    ) -> float:
        """Seconds of immobility in the window [start_s, end_s): immobile frames there, 1 / fps each."""
        times = np.arange(self.immobile.size) / self.fps
        inside = (times >= start_s) & (times < end_s)
        return float(self.immobile[inside].sum() / self.fps)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return {
            "label": self.label,
            "roi": self.roi.to_dict(),
            "bouts_s": [list(b) for b in self.bouts],
            "immobility_s_120_360": self.immobility_s(),
            "immobile": self.immobile.astype(int).tolist(),
        }


@dataclass(frozen=True, eq=False)
class SynthTruth:
    """What :func:`write_fst_video` wrote: the video, its truth JSON, and per-tank ground truth."""

    video: Path
    truth_json: Path
    fps: float
    n_frames: int
    width: int
    height: int
    codec: str
    seed: int
    tanks: tuple[TankTruth, ...]
    params: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary (the truth file's content)."""
        return {
            "format": TRUTH_FORMAT,
            "version": 1,
            "video": self.video.name,
            "fps": self.fps,
            "n_frames": self.n_frames,
            "width": self.width,
            "height": self.height,
            "codec": self.codec,
            "seed": self.seed,
            "params": self.params,
            "frame_convention": "immobile[t] describes the movement from frame t-1 to t; frame t at t/fps s",
            "tanks": [tank.to_dict() for tank in self.tanks],
        }


def load_truth(path: str | Path) -> SynthTruth:
    """Read a truth JSON written by :func:`write_fst_video`."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != TRUTH_FORMAT:
        raise ValueError(f"{path} is not a synthetic-video truth file (format {data.get('format')!r})")
    fps = float(data["fps"])
    tanks = tuple(
        TankTruth(
            label=t["label"],
            roi=CircleROI(t["label"], t["roi"]["cx"], t["roi"]["cy"], t["roi"]["r"]),
            immobile=np.asarray(t["immobile"], dtype=np.uint8),
            bouts=tuple((float(a), float(b)) for a, b in t["bouts_s"]),
            fps=fps,
        )
        for t in data["tanks"]
    )
    return SynthTruth(
        video=path.parent / data["video"],
        truth_json=path,
        fps=fps,
        n_frames=int(data["n_frames"]),
        width=int(data["width"]),
        height=int(data["height"]),
        codec=data["codec"],
        seed=int(data["seed"]),
        tanks=tanks,
        params=data["params"],
    )


def random_bouts(
    duration_s: float,
    immobile_fraction: float,
    rng: np.random.Generator,
    *,
    latency_s: tuple[float, float] = (15.0, 75.0),
    mean_immobile_bout_s: float = 8.0,
    min_immobile_bout_s: float = 2.0,
    min_mobile_bout_s: float = 1.0,
) -> tuple[Bout, ...]:
    """Immobile bouts: a mobile latency, then gamma-length bouts, about ``immobile_fraction`` after it."""
    if not 0.0 <= immobile_fraction <= 1.0:
        raise ValueError(f"immobile_fraction must be in [0, 1], got {immobile_fraction}")
    if immobile_fraction == 0.0:
        return ()
    t = float(rng.uniform(*latency_s))
    if immobile_fraction == 1.0:
        return ((t, duration_s),) if t < duration_s else ()
    mean_mobile = mean_immobile_bout_s * (1.0 - immobile_fraction) / immobile_fraction
    bouts: list[Bout] = []
    while t < duration_s:
        length = max(min_immobile_bout_s, float(rng.gamma(2.0, mean_immobile_bout_s / 2.0)))
        bouts.append((t, min(t + length, duration_s)))
        t += length + max(min_mobile_bout_s, float(rng.gamma(2.0, mean_mobile / 2.0)))
    return tuple(bouts)


def bouts_to_frames(bouts: Sequence[Bout], n_frames: int, fps: float) -> np.ndarray:
    """Per-frame 0/1 immobility (uint8) from bouts: frame t is immobile when a bout covers t / fps."""
    times = np.arange(n_frames) / fps
    immobile = np.zeros(n_frames, dtype=np.uint8)
    for start, end in bouts:
        immobile[(times >= start) & (times < end)] = 1
    return immobile


def tank_layout(n_tanks: int, size: tuple[int, int]) -> list[CircleROI]:
    """Tanks side by side, each centred in its share of the frame width, labelled tank1... left to right."""
    width, height = size
    cell = width / n_tanks
    radius = 0.42 * min(cell, height)
    return [
        CircleROI(f"tank{i + 1}", (i + 0.5) * cell - 0.5, height / 2 - 0.5, radius) for i in range(n_tanks)
    ]


def _static_scene(tanks: Sequence[CircleROI], size: tuple[int, int], nuisances: Nuisances) -> np.ndarray:
    """Background, lit water, tank rims and glare spots, as float32 grey levels."""
    width, height = size
    scene = np.full((height, width), _BACKGROUND, dtype=np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    for tank in tanks:
        distance = np.hypot(xs - tank.cx, ys - tank.cy)
        water = distance <= tank.r
        scene[water] = _WATER - 25.0 * (distance[water] / tank.r) ** 2
        scene[(distance > tank.r - 3) & water] = _RIM
        gx, gy = tank.cx - 0.45 * tank.r, tank.cy - 0.5 * tank.r
        glare = np.exp(-(((xs - gx) / (0.12 * tank.r)) ** 2 + ((ys - gy) / (0.06 * tank.r)) ** 2))
        scene += nuisances.reflection_gain * glare * water
    return scene


def _ripple_frames(
    tanks: Sequence[CircleROI], scene: np.ndarray, nuisances: Nuisances, rng: np.random.Generator
) -> list[np.ndarray]:
    """One period of backgrounds with the ripple texture, uint8, lowered by the noise offset."""
    height, width = scene.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    water = np.zeros((height, width), dtype=np.float32)
    for tank in tanks:
        water[np.hypot(xs - tank.cx, ys - tank.cy) <= tank.r - 3] = 1.0
    angles = rng.uniform(0, 2 * np.pi, 3)
    phases = rng.uniform(0, 2 * np.pi, 3)
    k = 2 * np.pi / nuisances.ripple_wavelength_px
    frames = []
    for i in range(_RIPPLE_PERIOD):
        shift = 2 * np.pi * i / _RIPPLE_PERIOD
        texture = sum(
            np.sin(k * (xs * math.cos(a) + ys * math.sin(a)) + p + (j + 1) * shift)
            for j, (a, p) in enumerate(zip(angles, phases, strict=True))
        )
        image = scene - _NOISE_OFFSET + (nuisances.ripple_amplitude / 3.0) * texture * water
        frames.append(np.clip(np.rint(image), 0, 255).astype(np.uint8))
    return frames


def _noise_bank(size: tuple[int, int], sd: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Gaussian noise frames as uint8 around the offset, so one saturating add applies them."""
    width, height = size
    noise = (
        rng.normal(0.0, sd, (_NOISE_BANK, height, width))
        if sd > 0
        else np.zeros((_NOISE_BANK, height, width))
    )
    clipped = np.clip(np.rint(noise), -_NOISE_OFFSET, _NOISE_OFFSET) + _NOISE_OFFSET
    return list(clipped.astype(np.uint8))


class _Mouse:
    """One animal's pose and how it changes per frame while swimming or floating."""

    def __init__(self, tank: CircleROI, rng: np.random.Generator, fps: float, drift_px: float) -> None:
        self.tank = tank
        self.rng = rng
        self.fps = fps
        self.drift = drift_px
        self.x = float(rng.uniform(-0.2, 0.2) * tank.r)
        self.y = float(rng.uniform(-0.2, 0.2) * tank.r)
        self.heading = float(rng.uniform(0, 2 * np.pi))
        self.phase = 0.0
        self.paws = np.zeros((4, 2))

    def step(self, immobile: bool) -> None:
        """Advance one frame: a swimming stroke or a floating drift."""
        r = self.tank.r
        if immobile:
            angle = self.rng.uniform(0, 2 * np.pi)
            self.x += self.drift * math.cos(angle)
            self.y += self.drift * math.sin(angle)
            self.heading += float(self.rng.normal(0, 0.0005))
            return
        toward_centre = math.atan2(-self.y, -self.x)
        if math.hypot(self.x, self.y) > 0.45 * r:
            self.heading += 0.3 * math.remainder(toward_centre - self.heading, 2 * np.pi)
        self.heading += float(self.rng.normal(0, 0.12))
        speed = 0.03 * r * (1.0 + 0.5 * math.sin(self.phase))
        self.x += speed * math.cos(self.heading)
        self.y += speed * math.sin(self.heading)
        self.phase += 2 * np.pi * 4.0 / self.fps
        self.paws = self.rng.normal(0, 0.06 * r, (4, 2))

    def draw(self, image: np.ndarray, colour: float) -> None:
        """Draw body, head and paws anti-aliased at sub-pixel positions."""
        r = self.tank.r
        shift = 4
        scale = 1 << shift
        angle = self.heading + 0.25 * math.sin(self.phase)
        cx, cy = self.tank.cx + self.x, self.tank.cy + self.y
        cos_a, sin_a = math.cos(angle), math.sin(angle)

        def point(u: float, v: float) -> tuple[int, int]:
            return round((cx + u * cos_a - v * sin_a) * scale), round((cy + u * sin_a + v * cos_a) * scale)

        axes = (round(0.32 * r * scale), round(0.13 * r * scale))
        cv2.ellipse(image, point(0, 0), axes, math.degrees(angle), 0, 360, colour, -1, cv2.LINE_AA, shift)
        cv2.circle(image, point(0.36 * r, 0), round(0.1 * r * scale), colour, -1, cv2.LINE_AA, shift)
        for (u, v), (du, dv) in zip(
            ((0.18, 0.14), (0.18, -0.14), (-0.2, 0.15), (-0.2, -0.15)), self.paws, strict=True
        ):
            cv2.circle(
                image, point(u * r + du, v * r + dv), round(0.045 * r * scale), colour, -1, cv2.LINE_AA, shift
            )


def write_fst_video(
    path: str | Path,
    *,
    duration_s: float = FST_DURATION_S,
    fps: float = 30.0,
    size: tuple[int, int] = (640, 480),
    n_tanks: int = 1,
    seed: int = 0,
    immobile_fraction: float | Sequence[float] = 0.55,
    bouts: Sequence[Sequence[Bout]] | None = None,
    latency_s: tuple[float, float] = (15.0, 75.0),
    codec: Codec = "mpeg4",
    nuisances: Nuisances = Nuisances(),
) -> SynthTruth:
    """Write an FST-like video (container from the suffix) and ``<stem>.truth.json`` beside it.

    ``bouts`` gives each tank's immobile bouts in seconds; otherwise they are drawn at random with the tank's
    ``immobile_fraction`` (one value for all tanks, or one per tank: e.g. a vehicle and a drug animal side by
    side) after a mobile latency drawn uniformly from ``latency_s``. Everything is determined by ``seed``.
    """
    path = Path(path)
    width, height = size
    if width % 2 or height % 2:
        raise ValueError(f"frame size must be even for yuv420p, got {width}x{height}")
    n_frames = round(duration_s * fps)
    fractions = (
        [immobile_fraction] * n_tanks if isinstance(immobile_fraction, int | float) else immobile_fraction
    )
    if len(fractions) != n_tanks or (bouts is not None and len(bouts) != n_tanks):
        raise ValueError(f"give one immobile fraction / bout list per tank ({n_tanks} tanks)")
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n_tanks + 1)]
    tanks = tank_layout(n_tanks, size)
    schedules = [
        tuple(bouts[i])
        if bouts is not None
        else random_bouts(duration_s, fractions[i], rngs[i], latency_s=latency_s)
        for i in range(n_tanks)
    ]
    truths = tuple(
        TankTruth(tank.label, tank, bouts_to_frames(schedule, n_frames, fps), schedule, fps)
        for tank, schedule in zip(tanks, schedules, strict=True)
    )
    scene_rng = rngs[-1]
    backgrounds = _ripple_frames(tanks, _static_scene(tanks, size, nuisances), nuisances, scene_rng)
    noise = _noise_bank(size, nuisances.noise_sd, scene_rng)
    mice = [
        _Mouse(tank, rng, fps, nuisances.drift_px_per_frame)
        for tank, rng in zip(tanks, rngs[:n_tanks], strict=True)
    ]
    _encode(path, n_frames, fps, size, codec, backgrounds, noise, mice, truths, scene_rng)
    truth = SynthTruth(
        video=path,
        truth_json=path.with_suffix(".truth.json"),
        fps=fps,
        n_frames=n_frames,
        width=width,
        height=height,
        codec=codec,
        seed=seed,
        tanks=truths,
        params={
            "duration_s": duration_s,
            "n_tanks": n_tanks,
            "immobile_fraction": list(fractions),
            "bouts_given": bouts is not None,
            "latency_s": list(latency_s),
            "nuisances": vars(nuisances).copy(),
            "encoder": _ENCODERS[codec][0],
            "encoder_options": _ENCODERS[codec][1],
        },
    )
    truth.truth_json.write_text(json.dumps(truth.to_dict()) + "\n", encoding="utf-8")
    return truth


def _encode(
    path: Path,
    n_frames: int,
    fps: float,
    size: tuple[int, int],
    codec: Codec,
    backgrounds: list[np.ndarray],
    noise: list[np.ndarray],
    mice: list[_Mouse],
    truths: tuple[TankTruth, ...],
    rng: np.random.Generator,
) -> None:
    """Render and encode every frame."""
    encoder, options = _ENCODERS[codec]
    rate = Fraction(fps).limit_denominator(1001)
    noise_index = rng.integers(0, len(noise), n_frames)
    frame = np.empty_like(backgrounds[0])
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(encoder, rate=rate, options=dict(options))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.color_range = 1
        for t in range(n_frames):
            np.copyto(frame, backgrounds[t % len(backgrounds)])
            for mouse, truth in zip(mice, truths, strict=True):
                if t:
                    mouse.step(bool(truth.immobile[t]))
                mouse.draw(frame, _MOUSE - _NOISE_OFFSET)
            cv2.add(frame, noise[noise_index[t]], frame)
            video_frame = av.VideoFrame.from_ndarray(frame, format="gray")
            video_frame.pts = t
            container.mux(stream.encode(video_frame))
        container.mux(stream.encode())
