"""Proposing ROIs for round tanks: circles found by the Hough transform in a frame of the video."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from tracking.video.rois import CircleROI


@dataclass(frozen=True)
class HoughParams:
    """Parameters of ``cv2.HoughCircles`` (HOUGH_GRADIENT) as used by :func:`detect_tanks`.

    Radii and the minimum centre distance are fractions of the frame's shorter side, so they hold at any
    resolution. ``canny_high`` is the upper Canny threshold (OpenCV's ``param1``); ``votes`` the accumulator
    threshold (``param2``): lower finds more (and more false) circles. ``dp`` is the inverse accumulator
    resolution. The frame is first median-blurred (``median_ksize``) against noise and ripples, then
    Gaussian-blurred (``smooth_sigma``) so that the edge gradients, whose directions the transform follows,
    are smooth.
    """

    min_radius_frac: float = 0.08
    max_radius_frac: float = 0.5
    min_dist_frac: float = 0.16
    dp: float = 1.0
    canny_high: float = 100.0
    votes: float = 40.0
    median_ksize: int = 5
    smooth_sigma: float = 2.0


def detect_tanks(
    frame: np.ndarray,
    *,
    n_tanks: int | None = None,
    params: HoughParams = HoughParams(),
    radius_scale: float = 1.0,
    label_prefix: str = "tank",
) -> list[CircleROI]:
    """Propose circular tanks with the Hough transform, labelled ``tank1``... in reading order.

    Parameters
    ----------
    frame
        A grey (2-D) or BGR (3-D) uint8 frame, e.g. the video's first.
    n_tanks
        Keep at most this many circles (the strongest first); None keeps every circle found.
    params
        The Hough transform's settings; radii and distances are fractions of the frame's shorter side.
    radius_scale
        Factor applied to each radius found (below 1 keeps the tank's rim out of the ROI); the result is
        also cut to fit inside the frame.
    label_prefix
        Labels are this prefix and the tank's number in reading order (rows top to bottom, then left to
        right).

    Returns
    -------
    list of CircleROI
        The tanks found, centres and radii in pixels of the frame; empty when none is found. Circles whose
        centre lies inside a circle already kept are dropped.
    """
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    side = min(width, height)
    smoothed = cv2.GaussianBlur(cv2.medianBlur(grey, params.median_ksize), (0, 0), params.smooth_sigma)
    found = cv2.HoughCircles(
        smoothed,
        cv2.HOUGH_GRADIENT,
        dp=params.dp,
        minDist=params.min_dist_frac * side,
        param1=params.canny_high,
        param2=params.votes,
        minRadius=round(params.min_radius_frac * side),
        maxRadius=round(params.max_radius_frac * side),
    )
    if found is None:
        return []
    kept: list[tuple[float, float, float]] = []
    for cx, cy, r in found[0]:
        if all(math.hypot(cx - kx, cy - ky) >= max(r, kr) for kx, ky, kr in kept):
            kept.append((float(cx), float(cy), float(r)))
        if n_tanks is not None and len(kept) == n_tanks:
            break
    fitted = [(cx, cy, min(r * radius_scale, cx, cy, width - 1 - cx, height - 1 - cy)) for cx, cy, r in kept]
    return [
        CircleROI(f"{label_prefix}{i + 1}", cx, cy, r) for i, (cx, cy, r) in enumerate(_reading_order(fitted))
    ]


def _reading_order(circles: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Sort circles into rows (centres within a radius of each other vertically), then left to right."""
    rows: list[list[tuple[float, float, float]]] = []
    for circle in sorted(circles, key=lambda c: c[1]):
        if rows and abs(circle[1] - rows[-1][0][1]) <= rows[-1][0][2]:
            rows[-1].append(circle)
        else:
            rows.append([circle])
    return [c for row in rows for c in sorted(row, key=lambda c: c[0])]
