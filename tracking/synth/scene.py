"""The picture of a synthetic forced-swim video: tanks, mice swimming or floating, and nuisances.

Each tank is a lit disc with a darker rim on a dark background, seen from the side; in it a dark mouse-shaped
body (an ellipse with a head and four paws). During mobile stretches the mouse swims with vigorous strokes: it
moves and turns, its body wobbles at the stroke rate and its paws flicker. During immobile stretches it
floats: the paws are still and the body only drifts by a few hundredths of a pixel per frame. Real footage's
nuisances are added: water ripples (a low-amplitude moving texture in the water), a static reflection (glare
spot) on each tank and Gaussian camera noise. A mouse dropped in after a lead-in is absent from its tank
(which shows only rippling water and glare) until its entry frame, and enters with a splash
(:mod:`tracking.synth.splash`). Grey levels are 0-255, lengths in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from tracking.synth.splash import draw_splash
from tracking.synth.truth import TankTruth, entry_frame
from tracking.video.rois import CircleROI

_RIPPLE_PERIOD = 48
_NOISE_BANK = 24
_NOISE_OFFSET = 12
_BACKGROUND = 55.0
_WATER = 185.0
_RIM = 120.0
_MOUSE = 45.0
#: The mouse's body length (the ellipse's long axis) in body units; by default a body unit is the tank radius.
_BODY_LENGTH = 0.64


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


class Mouse:
    """One animal's pose and how it changes per frame while swimming or floating."""

    def __init__(
        self,
        tank: CircleROI,
        rng: np.random.Generator,
        fps: float,
        drift_px: float,
        length_px: float | None = None,
    ) -> None:
        self.tank = tank
        self.body = tank.r if length_px is None else length_px / _BODY_LENGTH
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
        speed = 0.03 * self.body * (1.0 + 0.5 * math.sin(self.phase))
        self.x += speed * math.cos(self.heading)
        self.y += speed * math.sin(self.heading)
        self.phase += 2 * np.pi * 4.0 / self.fps
        self.paws = self.rng.normal(0, 0.06 * self.body, (4, 2))

    @property
    def centre(self) -> tuple[float, float]:
        """The body's centre in frame pixels (x, y)."""
        return self.tank.cx + self.x, self.tank.cy + self.y

    def draw(self, image: np.ndarray, colour: float) -> None:
        """Draw body, head and paws anti-aliased at sub-pixel positions."""
        r = self.body
        shift = 4
        scale = 1 << shift
        angle = self.heading + 0.25 * math.sin(self.phase)
        cx, cy = self.centre
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


@dataclass(frozen=True, eq=False)
class Scene:
    """What every frame is drawn from: the rippling backgrounds, a bank of camera noise, and the mice."""

    backgrounds: list[np.ndarray]
    noise: list[np.ndarray]
    mice: list[Mouse]

    def frames(
        self, truths: Sequence[TankTruth], n_frames: int, rng: np.random.Generator
    ) -> Iterator[np.ndarray]:
        """Yield the grey frames (a reused uint8 array), each mouse entering and moving as its truth says."""
        noise_index = rng.integers(0, len(self.noise), n_frames)
        frame = np.empty_like(self.backgrounds[0])
        firsts = [entry_frame(truth.entry_s, truth.fps) for truth in truths]
        for t in range(n_frames):
            np.copyto(frame, self.backgrounds[t % len(self.backgrounds)])
            for mouse, truth, first in zip(self.mice, truths, firsts, strict=True):
                if t < first:
                    continue
                if t > first:
                    mouse.step(bool(truth.immobile[t]))
                if first:
                    age_s = (t - first) / truth.fps
                    draw_splash(frame, mouse.tank, mouse.centre, mouse.body, age_s, mouse.rng, _NOISE_OFFSET)
                mouse.draw(frame, _MOUSE - _NOISE_OFFSET)
            cv2.add(frame, self.noise[noise_index[t]], frame)
            yield frame


def build_scene(
    tanks: Sequence[CircleROI],
    size: tuple[int, int],
    nuisances: Nuisances,
    fps: float,
    tank_rngs: Sequence[np.random.Generator],
    scene_rng: np.random.Generator,
    mouse_length_px: float | None = None,
) -> Scene:
    """The scene of ``tanks`` in a frame of ``size`` (width, height in pixels), one mouse per tank.

    ``mouse_length_px`` is each mouse's body length in pixels (None: 0.64 x the tank radius).
    """
    backgrounds = _ripple_frames(tanks, _static_scene(tanks, size, nuisances), nuisances, scene_rng)
    noise = _noise_bank(size, nuisances.noise_sd, scene_rng)
    mice = [
        Mouse(tank, rng, fps, nuisances.drift_px_per_frame, mouse_length_px)
        for tank, rng in zip(tanks, tank_rngs, strict=True)
    ]
    return Scene(backgrounds, noise, mice)
