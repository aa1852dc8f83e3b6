"""Synthetic videos drawn from pose tracks: every body part a coloured marker at its tracked position.

A pose estimator trained on frames of such a video has exact labels (the tracks themselves), so a test can
run a real pose estimator (DeepLabCut) end to end on a made-up mouse whose immobility is known
(:mod:`tracking.pose.synth`). Each frame shows the tanks (lit discs on a dark background), each animal's body
(the filled outline around its points, dark) and one marker per body part in a colour of its own, so a
network can tell the parts apart. Every point with finite coordinates is drawn where the tracks put it,
likelihood regardless: draw clean tracks (no jitter, no dropouts) to get a video whose truth is exact.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from tracking.pose.synth import PoseSynthConfig, SynthPose, tank_centre_px
from tracking.pose.tracks import PoseTracks
from tracking.video.rois import CircleROI

#: Marker colours (BGR), one per body part in order, repeating after the last.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (40, 40, 240),
    (40, 220, 40),
    (240, 60, 40),
    (30, 230, 240),
    (240, 40, 220),
    (240, 220, 40),
    (40, 140, 255),
    (255, 255, 255),
    (150, 60, 200),
)
_BACKGROUND = (50, 50, 50)
_WATER = (200, 185, 170)
_BODY = (70, 60, 55)
_SHIFT = 4


def pose_tanks(config: PoseSynthConfig, n_individuals: int) -> list[CircleROI]:
    """The tanks :func:`tracking.pose.synth.synth_pose_tracks` puts its animals in, in pixels."""
    radius = config.tank_radius_cm * config.px_per_cm
    return [CircleROI(f"tank{i + 1}", *tank_centre_px(config, i), radius) for i in range(n_individuals)]


def frame_size(config: PoseSynthConfig, n_individuals: int) -> tuple[int, int]:
    """Width and height (even numbers) of a frame holding the tanks side by side, each centred in its cell."""
    cx, cy = tank_centre_px(config, 0)
    return 2 * math.ceil(n_individuals * cx), 2 * math.ceil(cy)


def _fixed(x: float, y: float) -> tuple[int, int]:
    """A sub-pixel point in OpenCV's fixed-point coordinates."""
    return round(x * (1 << _SHIFT)), round(y * (1 << _SHIFT))


def render_frame(
    tracks: PoseTracks, t: int, background: np.ndarray, marker_radius_px: float, body_radius_px: float
) -> np.ndarray:
    """Frame ``t``: the background with each individual's body outline and body-part markers (BGR)."""
    image = background.copy()
    scale = 1 << _SHIFT
    for k in range(len(tracks.individuals)):
        xs, ys = tracks.x[t, k], tracks.y[t, k]
        known = np.isfinite(xs) & np.isfinite(ys)
        points = np.column_stack([xs[known], ys[known]])
        if points.size == 0:
            continue
        if len(points) >= 3:
            hull = cv2.convexHull(np.rint(points * scale).astype(np.int32))
            cv2.fillConvexPoly(image, hull, _BODY, cv2.LINE_AA, _SHIFT)
        for x, y in points:
            cv2.circle(image, _fixed(x, y), round(body_radius_px * scale), _BODY, -1, cv2.LINE_AA, _SHIFT)
        for part in np.flatnonzero(known):
            colour = PALETTE[part % len(PALETTE)]
            centre = _fixed(xs[part], ys[part])
            cv2.circle(image, centre, round(marker_radius_px * scale), colour, -1, cv2.LINE_AA, _SHIFT)
    return image


def write_pose_video(synth: SynthPose, path: str | Path, *, marker_radius_cm: float = 0.35) -> Path:
    """Write the synthetic animals as an MPEG-4 video (OpenCV's ``mp4v``) at the tracks' frame rate."""
    path = Path(path)
    config = synth.config
    tracks = synth.tracks
    width, height = frame_size(config, len(tracks.individuals))
    background = np.full((height, width, 3), _BACKGROUND, dtype=np.uint8)
    for tank in pose_tanks(config, len(tracks.individuals)):
        cv2.circle(
            background,
            _fixed(tank.cx, tank.cy),
            round(tank.r * (1 << _SHIFT)),
            _WATER,
            -1,
            cv2.LINE_AA,
            _SHIFT,
        )
    marker = max(marker_radius_cm * config.px_per_cm, 1.5)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), float(config.fps), (width, height))
    if not writer.isOpened():
        raise OSError(f"{path}: OpenCV cannot write an mp4v video here")
    try:
        for t in range(tracks.n_frames):
            writer.write(render_frame(tracks, t, background, marker, 1.6 * marker))
    finally:
        writer.release()
    return path


__all__ = ["PALETTE", "frame_size", "pose_tanks", "render_frame", "write_pose_video"]
