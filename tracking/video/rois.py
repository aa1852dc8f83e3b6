"""Regions of interest: one per animal, as a rectangle, a circle (a tank) or a polygon.

A camera often films two to four tanks at once; each ROI carries the label of the animal in it, and the motion
signal is computed separately inside each. ROIs are read from and written to a JSON file (schema below),
checked against the frame size and turned into boolean masks. :mod:`tracking.video.tanks` proposes circles for
round tanks; :mod:`tracking.video.roi_drawing` draws ROIs on a frame for the user to check.

JSON schema (``format`` and ``version`` are written and checked when present)::

    {
      "format": "behavlab-rois", "version": 1,
      "frame_size": [640, 480],                    # width, height the ROIs were drawn on (optional)
      "default": [ROI, ...],                       # for every video without its own entry (optional)
      "videos": {"fst_001.mp4": [ROI, ...], ...}   # per video, keyed by file name (optional)
    }

A bare list ``[ROI, ...]`` is accepted as the ``default`` for a whole batch. Each ROI is one of::

    {"label": "tank1", "shape": "circle", "cx": 160.0, "cy": 240.0, "r": 120.0}
    {"label": "m07", "shape": "rectangle", "x": 10, "y": 20, "width": 200, "height": 300}
    {"label": "m08", "shape": "polygon", "points": [[10, 10], [200, 15], [190, 300], [12, 280]]}

Coordinates are pixels of the full frame, x to the right and y down, pixel (i, j) centred on (i, j).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from tracking.errors import TrackingError

ROI_FILE_FORMAT = "behavlab-rois"
ROI_FILE_VERSION = 1

Bounds = tuple[int, int, int, int]
"""An integer bounding box (x0, y0, x1, y1), x1 and y1 exclusive."""


class ROIError(TrackingError, ValueError):
    """An ROI or an ROI file is invalid; the message names the ROI or file and what would be accepted."""


@dataclass(frozen=True)
class RectROI:
    """An axis-aligned rectangle of whole pixels."""

    label: str
    x: int
    y: int
    width: int
    height: int

    shape = "rectangle"

    def bounds(self) -> Bounds:
        """Integer bounding box (x0, y0, x1, y1), exclusive end."""
        return self.x, self.y, self.x + self.width, self.y + self.height

    def mask(self) -> np.ndarray:
        """Boolean mask of the ROI inside its bounding box."""
        return np.ones((max(self.height, 0), max(self.width, 0)), dtype=bool)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary in the ROI file schema."""
        return {
            "label": self.label,
            "shape": self.shape,
            "x": self.x,
            "y": self.y,
            "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True)
class CircleROI:
    """A disc: every pixel whose centre lies within ``r`` of (cx, cy)."""

    label: str
    cx: float
    cy: float
    r: float

    shape = "circle"

    def bounds(self) -> Bounds:
        """Integer bounding box (x0, y0, x1, y1), exclusive end."""
        return (
            math.ceil(self.cx - self.r),
            math.ceil(self.cy - self.r),
            math.floor(self.cx + self.r) + 1,
            math.floor(self.cy + self.r) + 1,
        )

    def mask(self) -> np.ndarray:
        """Boolean mask of the ROI inside its bounding box."""
        x0, y0, x1, y1 = self.bounds()
        ys = np.arange(y0, y1, dtype=np.float64)[:, None] - self.cy
        xs = np.arange(x0, x1, dtype=np.float64)[None, :] - self.cx
        return ys * ys + xs * xs <= self.r * self.r

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary in the ROI file schema."""
        return {"label": self.label, "shape": self.shape, "cx": self.cx, "cy": self.cy, "r": self.r}


@dataclass(frozen=True)
class PolygonROI:
    """A simple polygon; its pixels are those OpenCV ``fillPoly`` fills (inside, and on the outline)."""

    label: str
    points: tuple[tuple[float, float], ...] = field(default_factory=tuple)

    shape = "polygon"

    def bounds(self) -> Bounds:
        """Integer bounding box (x0, y0, x1, y1), exclusive end."""
        if not self.points:
            return 0, 0, 0, 0
        xs, ys = zip(*self.points, strict=True)
        return math.floor(min(xs)), math.floor(min(ys)), math.floor(max(xs)) + 1, math.floor(max(ys)) + 1

    def mask(self) -> np.ndarray:
        """Boolean mask of the ROI inside its bounding box."""
        x0, y0, x1, y1 = self.bounds()
        canvas = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
        if len(self.points) >= 3:
            shift = 4
            scaled = np.rint((np.asarray(self.points) - (x0, y0)) * (1 << shift)).astype(np.int32)
            cv2.fillPoly(canvas, [scaled], 1, lineType=cv2.LINE_8, shift=shift)
        return canvas.astype(bool)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary in the ROI file schema."""
        return {"label": self.label, "shape": self.shape, "points": [list(p) for p in self.points]}


ROI = RectROI | CircleROI | PolygonROI
MAX_LABEL_CHARS = 60
_LABEL = re.compile(rf"[^\W_][\w .\-]{{0,{MAX_LABEL_CHARS - 1}}}")


def check_label(label: str, where: str = "ROI") -> str:
    """The label, if it can name an animal's output files and table rows; else ROIError saying why.

    A label becomes part of file names (``<video>.<label>.frames.csv``) and a cell of results.csv, so it may
    hold letters, digits, spaces, ``_``, ``.`` and ``-`` only and must start with a letter or digit: no path
    separator can escape the output folder and no leading ``=``, ``+``, ``-`` or ``@`` is read as a formula.
    """
    if not _LABEL.fullmatch(label):
        raise ROIError(
            f"{where}: label {label!r} is not accepted; accepted: 1-{MAX_LABEL_CHARS} letters, digits, "
            "spaces, '_', '.' or '-', starting with a letter or digit (e.g. the animal's blind code)"
        )
    return label


def roi_from_dict(data: Mapping[str, object], *, where: str = "ROI") -> ROI:
    """Build an ROI from its JSON dictionary, with an error naming the entry and the accepted shapes."""
    if "label" in data and data["label"] not in (None, ""):
        check_label(str(data["label"]), where)
    try:
        label = str(data["label"])
        shape = data["shape"]
        if shape == "circle":
            return CircleROI(label, float(data["cx"]), float(data["cy"]), float(data["r"]))  # type: ignore[arg-type]
        if shape in ("rectangle", "rect"):
            return RectROI(label, *(int(data[k]) for k in ("x", "y", "width", "height")))  # type: ignore[call-overload]
        if shape == "polygon":
            points = tuple((float(x), float(y)) for x, y in data["points"])  # type: ignore[attr-defined]
            return PolygonROI(label, points)
    except (KeyError, TypeError, ValueError) as exc:
        raise ROIError(f"{where}: malformed ROI {dict(data)!r} ({exc!r})") from exc
    raise ROIError(
        f"{where}: unknown shape {shape!r}; accepted: 'rectangle' (x, y, width, height), "
        "'circle' (cx, cy, r), 'polygon' (points)"
    )


def full_mask(roi: ROI, frame_size: tuple[int, int]) -> np.ndarray:
    """Boolean mask of the ROI over the whole frame, ``frame_size`` = (width, height)."""
    width, height = frame_size
    out = np.zeros((height, width), dtype=bool)
    x0, y0, x1, y1 = roi.bounds()
    local = roi.mask()
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if cx1 > cx0 and cy1 > cy0:
        out[cy0:cy1, cx0:cx1] = local[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    return out


def roi_contains(roi: ROI, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which points (x, y in frame pixels) lie in the ROI: those whose nearest pixel is one of its pixels."""
    x0, y0, _, _ = roi.bounds()
    local = roi.mask()
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    known = np.isfinite(xs) & np.isfinite(ys)
    cols = np.where(known, np.rint(xs), x0 - 1).astype(np.int64) - x0
    rows = np.where(known, np.rint(ys), y0 - 1).astype(np.int64) - y0
    inside = known & (cols >= 0) & (rows >= 0) & (cols < local.shape[1]) & (rows < local.shape[0])
    out = np.zeros(xs.shape, dtype=bool)
    out[inside] = local[rows[inside], cols[inside]]
    return out


def validate_rois(rois: Sequence[ROI], frame_size: tuple[int, int]) -> None:
    """Raise :class:`ROIError` listing every ROI that is empty, outside the frame or shares a label."""
    width, height = frame_size
    problems: list[str] = []
    seen: set[str] = set()
    for roi in rois:
        if not roi.label:
            problems.append(f"{roi.shape} ROI {roi.to_dict()} has an empty label")
        elif roi.label in seen:
            problems.append(f"duplicate label {roi.label!r}: each ROI is one animal and needs its own label")
        seen.add(roi.label)
        x0, y0, x1, y1 = roi.bounds()
        if x1 <= x0 or y1 <= y0 or not roi.mask().any():
            problems.append(f"ROI {roi.label!r} ({roi.shape}) is empty: {roi.to_dict()}")
        elif x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            problems.append(
                f"ROI {roi.label!r} ({roi.shape}) spans x {x0}..{x1 - 1}, y {y0}..{y1 - 1}, "
                f"outside the {width}x{height} frame (x 0..{width - 1}, y 0..{height - 1})"
            )
    if problems:
        raise ROIError("invalid ROIs: " + "; ".join(problems))


@dataclass(frozen=True)
class RoiFile:
    """The contents of an ROI JSON file: ROIs for the whole batch and/or per video file name.

    ``frame_size`` is the (width, height) in pixels of the frames the ROIs were drawn on, when recorded.
    """

    default: tuple[ROI, ...] | None = None
    videos: Mapping[str, tuple[ROI, ...]] = field(default_factory=dict)
    frame_size: tuple[int, int] | None = None

    def for_video(self, video: str | Path) -> tuple[ROI, ...]:
        """The ROIs for one video: its own entry, or else the default.

        The entry is found by file name; a bare stem, as a pose file alone gives, matches the one entry of
        that stem.
        """
        name = Path(video).name
        if name in self.videos:
            return self.videos[name]
        same_stem = [key for key in self.videos if Path(key).stem == name] if not Path(name).suffix else []
        if len(same_stem) == 1:
            return self.videos[same_stem[0]]
        if self.default is not None:
            return self.default
        known = ", ".join(sorted(self.videos)) or "none"
        raise ROIError(f"no ROIs for video {name!r} and no 'default' entry; videos in the file: {known}")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary in the ROI file schema."""
        data: dict[str, object] = {"format": ROI_FILE_FORMAT, "version": ROI_FILE_VERSION}
        if self.frame_size is not None:
            data["frame_size"] = list(self.frame_size)
        if self.default is not None:
            data["default"] = [roi.to_dict() for roi in self.default]
        if self.videos:
            data["videos"] = {name: [roi.to_dict() for roi in rois] for name, rois in self.videos.items()}
        return data


def _roi_list(entries: object, where: str) -> tuple[ROI, ...]:
    """Parse a JSON list of ROIs, checking labels are unique."""
    if not isinstance(entries, list):
        raise ROIError(f"{where}: expected a list of ROIs, got {type(entries).__name__}")
    rois = tuple(roi_from_dict(e, where=f"{where}[{i}]") for i, e in enumerate(entries))
    labels = [roi.label for roi in rois]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ROIError(f"{where}: duplicate ROI labels {duplicates}; each animal needs its own label")
    return rois


def load_rois(path: str | Path) -> RoiFile:
    """Read an ROI JSON file (schema in the module docstring).

    Parameters
    ----------
    path
        The JSON file: an object with ``default`` and/or ``videos``, or a bare list of ROIs.

    Returns
    -------
    RoiFile
        The ROIs for the whole batch and per video file name, coordinates in pixels of the full frame.

    Raises
    ------
    ROIError
        The file cannot be read, is not JSON in the schema, or holds a malformed ROI or a repeated label.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ROIError(f"cannot read ROI file {path}: {exc}") from exc
    if isinstance(data, list):
        return RoiFile(default=_roi_list(data, f"{path}"))
    if not isinstance(data, dict):
        raise ROIError(f"{path}: expected a JSON object with 'default' and/or 'videos', or a list of ROIs")
    if data.get("format", ROI_FILE_FORMAT) != ROI_FILE_FORMAT or data.get("version", 1) != ROI_FILE_VERSION:
        raise ROIError(
            f"{path}: format {data.get('format')!r} version {data.get('version')!r} is not "
            f"{ROI_FILE_FORMAT!r} version {ROI_FILE_VERSION}"
        )
    unknown = set(data) - {"format", "version", "frame_size", "default", "videos"}
    if unknown:
        raise ROIError(
            f"{path}: unknown keys {sorted(unknown)}; accepted: format, version, frame_size, default, videos"
        )
    videos = data.get("videos", {})
    if not isinstance(videos, dict):
        raise ROIError(f"{path}: 'videos' must map video file names to lists of ROIs")
    default = _roi_list(data["default"], f"{path}: default") if "default" in data else None
    per_video = {
        str(name): _roi_list(entries, f"{path}: videos[{name!r}]") for name, entries in videos.items()
    }
    if default is None and not per_video:
        raise ROIError(f"{path}: holds no ROIs (neither 'default' nor 'videos')")
    return RoiFile(default=default, videos=per_video, frame_size=_frame_size(data.get("frame_size"), path))


def _frame_size(value: object, path: Path) -> tuple[int, int] | None:
    """The recorded frame size as (width, height), if any; ROIError unless two positive whole numbers."""
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in value)
    ):
        return value[0], value[1]
    raise ROIError(f"{path}: 'frame_size' {value!r} is not accepted; expected [width, height] in pixels")


def save_rois(path: str | Path, rois: RoiFile | Iterable[ROI]) -> Path:
    """Write ROIs (a :class:`RoiFile`, or a list used as the batch default) as JSON; returns the path."""
    roi_file = rois if isinstance(rois, RoiFile) else RoiFile(default=tuple(rois))
    path = Path(path)
    path.write_text(json.dumps(roi_file.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path
