"""Drawing ROIs on a frame, for the user to check them before a batch is scored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np

from tracking.video.rois import ROI, CircleROI, RectROI

#: Font scales (per unit of line thickness) of an ROI's label and of its note.
_LABEL_SCALE = 0.5
_NOTE_SCALE = 0.4
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
        x0, y0, x1, _ = roi.bounds()
        left, top = max(x0, 0) + 4, max(y0, 0)
        note = (notes or {}).get(roi.label)
        lines = [(roi.label, _LABEL_SCALE)]
        if note is not None:
            wrapped = _wrapped(note, max(x1 - x0 - 8, 1), _NOTE_SCALE * thickness, thickness)
            lines += [(text, _NOTE_SCALE) for text in wrapped]
        for line, (text, scale) in enumerate(lines):
            origin = (left, top + (line + 1) * 16 * thickness)
            font = (cv2.FONT_HERSHEY_SIMPLEX, scale * thickness, colour, thickness, cv2.LINE_AA)
            cv2.putText(image, text, origin, *font)
    return image


def _wrapped(text: str, width_px: int, scale: float, thickness: int) -> list[str]:
    """The words of `text` in lines no wider than `width_px` when drawn (a longer word keeps a line alone)."""
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        fits = cv2.getTextSize(joined, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)[0][0] <= width_px
        if lines and fits:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


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
