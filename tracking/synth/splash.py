"""The splash of a mouse dropped into its tank: churning foam and a spreading ring, fading within a second.

A mouse lowered or dropped into the water throws up spray and foam around itself and sends a ring wave across
the tank; both fade as the mouse starts to swim. Here the foam is a cluster of bright bubbles redrawn at new
random places every frame (so nearly all of it changes between frames), and the wave a bright ring whose
radius grows at a constant speed; the number of bubbles and the ring's brightness fall linearly to nothing
over :data:`SPLASH_S`. Lengths are in pixels, scaled by the mouse's body size; grey levels are 0-255.

Notes
-----
The splash is the event that marks each animal's test start in real footage (ANY-maze and EthoVision start
an arena's test when the animal is detected in it; in Sturman et al. 2020, Neuropsychopharmacology
45:1942-1952, raters marked it by eye about 10 s into each FST video), so the synthetic videos show it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from tracking.video.rois import CircleROI

#: How long the splash lasts, in seconds.
SPLASH_S = 1.0
#: Bubbles in the foam at the moment of entry; the count falls linearly to 0 over :data:`SPLASH_S`.
_BUBBLES = 30
#: How far from the entry point bubbles land, in body sizes.
_FOAM_SPREAD = 0.9
#: Bubble radius range, in body sizes.
_BUBBLE_RADIUS = (0.04, 0.1)
#: The ring wave's speed, in body sizes per second.
_RING_SPEED = 2.5
_FOAM = 240.0
#: Grey levels the ring loses as it fades (down to about the water's level).
_RING_FADE = 60.0
_SUBPIXEL_SHIFT = 4


def draw_splash(
    image: np.ndarray,
    tank: CircleROI,
    centre: tuple[float, float],
    body_px: float,
    age_s: float,
    rng: np.random.Generator,
    offset: float,
) -> None:
    """Draw the splash ``age_s`` seconds after entry (nothing once it has faded) into a uint8 frame, in place.

    Parameters
    ----------
    image
        The frame being drawn, grey levels lowered by ``offset`` (the camera noise is added afterwards).
    tank
        The tank the mouse fell into; the splash stays inside its water.
    centre
        Where the mouse entered, in frame pixels (x, y).
    body_px
        The mouse's body size (pixels): the splash's scale.
    age_s
        Seconds since the entry (0 at the mouse's first frame).
    rng
        Draws the bubbles' places and sizes.
    offset
        Grey levels the frame is lowered by before noise is added.
    """
    strength = 1.0 - age_s / SPLASH_S
    if strength <= 0.0:
        return
    scale = 1 << _SUBPIXEL_SHIFT
    reach = max(tank.r - 4.0 - math.hypot(centre[0] - tank.cx, centre[1] - tank.cy), 1.0)
    colour = _FOAM - offset
    ring = min(body_px * (0.3 + _RING_SPEED * age_s), reach)
    cv2.circle(
        image,
        (round(centre[0] * scale), round(centre[1] * scale)),
        round(ring * scale),
        colour - (1.0 - strength) * _RING_FADE,
        2,
        cv2.LINE_AA,
        _SUBPIXEL_SHIFT,
    )
    n_bubbles = math.ceil(_BUBBLES * strength)
    distances = np.minimum(rng.uniform(0.0, _FOAM_SPREAD * body_px, n_bubbles), reach)
    angles = rng.uniform(0.0, 2 * math.pi, n_bubbles)
    radii = rng.uniform(*_BUBBLE_RADIUS, n_bubbles) * body_px
    for distance, angle, radius in zip(distances, angles, radii, strict=True):
        x = centre[0] + distance * math.cos(angle)
        y = centre[1] + distance * math.sin(angle)
        cv2.circle(
            image,
            (round(x * scale), round(y * scale)),
            max(round(radius * scale), scale),
            colour,
            -1,
            cv2.LINE_AA,
            _SUBPIXEL_SHIFT,
        )
