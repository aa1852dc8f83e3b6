"""Drawing ROIs on a frame, for the user to check them before a batch is scored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np

from tracking.video.rois import ROI, CircleROI, RectROI

_ROI_COLOURS = ((0, 200, 255), (255, 120, 0), (60, 220, 60), (200, 60, 255), (0, 80, 255), (255, 220, 0))


def draw_rois(frame: np.ndarray, rois: Sequence[ROI], notes: Mapping[str, str] | None = None) -> np.ndarray:
    """A BGR copy of the frame with each ROI outlined and labelled, its note (by label) under the label."""
    image = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame.copy()
    thickness = max(1, round(min(image.shape[:2]) / 240))
    for i, roi in enumerate(rois):
        colour = _ROI_COLOURS[i % len(_ROI_COLOURS)]
        if isinstance(roi, CircleROI):
            cv2.circle(image, (round(roi.cx), round(roi.cy)), round(roi.r), colour, thickness, cv2.LINE_AA)
        elif isinstance(roi, RectROI):
            cv2.rectangle(
                image, (roi.x, roi.y), (roi.x + roi.width - 1, roi.y + roi.height - 1), colour, thickness
            )
        else:
            points = np.rint(np.asarray(roi.points)).astype(np.int32)
            cv2.polylines(image, [points], True, colour, thickness, cv2.LINE_AA)
        x0, y0, _, _ = roi.bounds()
        org = (max(x0, 0) + 4, max(y0, 0) + 16 * thickness)
        note = (notes or {}).get(roi.label)
        for line, text in enumerate([roi.label] if note is None else [roi.label, note]):
            cv2.putText(
                image,
                text,
                (org[0], org[1] + line * 16 * thickness),
                cv2.FONT_HERSHEY_SIMPLEX,
                (0.5 if line == 0 else 0.4) * thickness,
                colour,
                thickness,
                cv2.LINE_AA,
            )
    return image


def write_roi_png(
    path: str | Path, frame: np.ndarray, rois: Sequence[ROI], notes: Mapping[str, str] | None = None
) -> Path:
    """Write the frame with the ROIs drawn (and each one's note, by label) as a PNG; returns the path.

    The PNG is encoded in memory and written by Python, so a full disk raises an OSError with its reason
    instead of a bare failure flag (and no libpng message on stderr).
    """
    path = Path(path)
    encoded, data = cv2.imencode(".png", draw_rois(frame, rois, notes))
    if not encoded:
        raise ValueError(f"OpenCV could not encode the ROI image for {path}")
    path.write_bytes(data.tobytes())
    return path
