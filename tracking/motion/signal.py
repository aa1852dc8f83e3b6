"""The motion signal: per frame and ROI, the fraction of pixels whose blurred grey level just changed.

For each frame ``t`` and ROI: grey -> Gaussian blur -> ``|frame_t - frame_{t-1}| > pixel_cutoff`` -> changed
pixels / ROI pixels -> Hampel filter over :data:`HAMPEL_FRAMES` frames. One decode pass serves every ROI of
the video. Frame 0 has no previous frame: its value is NaN.

Notes
-----
This is ezTrack's motion measure (Pennington et al. 2019, Sci Rep 9:19979:
``FreezeAnalysis_Functions.Measure_Motion``, Gaussian blur with sigma 1, cutoff 10 grey levels) expressed as a
fraction of the ROI, like DBscorer's percentage of area changed, so that one threshold suits tanks of any
size. Speed, which the whole batch depends on:

- Frames are read as stored luma (no YUV -> BGR -> grey conversion and no range expansion); the cutoff is
  converted into stored luma steps instead, which by the linearity of the blur gives the same comparison.
- Only the ROIs' padded bounding boxes are blurred: their union, or each separately when that covers fewer
  pixels. The padding (the blur radius) makes the blur inside each ROI identical to blurring the whole frame.
- With ``subsample=2`` (the default) the blur is ``cv2.pyrDown``: the 5-tap binomial kernel [1 4 6 4 1]/16,
  whose variance is exactly 1 (sigma = 1, as ezTrack), evaluated at every second pixel of every second row.
  The blurred values there are those of the full-resolution blur, so the changed fraction is measured on a
  regular quarter sample of the ROI's pixels; this is four times less work for every later step.
  ``subsample=1`` runs ``cv2.GaussianBlur`` at full resolution with ezTrack's kernel (see
  :func:`gaussian_ksize`).
- Despiking (:func:`hampel`): a lossy encoder re-codes the picture at each keyframe, and the water and
  animal then change, for one to three frames, as many pixels as a small animal's stroke: on MPEG-4 (12-frame
  group of pictures) this broke every floating bout of a 12 x 6 px mouse under the 1-s minimum bout. The
  Hampel filter replaces such a burst in a still stretch by its window's median (0) and leaves every other
  frame as measured. A 5-frame running median, used before, replaced every value: next to a still stretch the
  moving frame took the smallest moving value around it and fell under the threshold, false immobility at
  bout edges (+0.2 to +0.7 s per 12-px mouse over 240 s on H.264, about 0 with the Hampel filter).
- Frame-wide change (:func:`frame_wide_change`): a keyframe changes the still water of every tank in the
  same frame, an animal only its own tank. A frame in which at least :data:`FRAME_WIDE_MIN_ROIS` ROIs still
  around it (running median 0) change at once is left out of every ROI's Hampel windows, so a keyframe and
  the residue after it no longer make a majority (with one ROI nothing is left out).
- Differences and thresholds stay in uint8 (``cv2.absdiff``, ``cv2.threshold``), counts use
  ``cv2.countNonZero`` on the mask-ANDed crop; every buffer is allocated once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tracking.motion.hampel import HAMPEL_FRAMES, HAMPEL_SDS, hampel
from tracking.video.info import VideoInfo
from tracking.video.reader import Backend, VideoReader, open_video
from tracking.video.rois import ROI, RectROI, ROIError, validate_rois

METHOD = "changed-pixel-fraction"
DEFAULT_PIXEL_CUTOFF = 10.0
DEFAULT_BLUR_SIGMA = 1.0
DEFAULT_SUBSAMPLE = 2
WHOLE_FRAME_LABEL = "frame"
#: Frames of the running median that says whether an ROI is still around a frame (:func:`frame_wide_change`).
STILL_FRAMES = 5
#: Still ROIs that must change in the same frame for it to count as frame-wide (codec) change.
FRAME_WIDE_MIN_ROIS = 2


def gaussian_ksize(sigma: float) -> int:
    """Kernel side OpenCV derives from sigma for float images (ezTrack's ``ksize=(0, 0)``): 9 for sigma 1."""
    return max(3, round(sigma * 8 + 1) | 1)


def despike(values: np.ndarray, frames: int) -> np.ndarray:
    """Centred running median over ``frames`` (odd) frames of each column of ``values`` (n_frames, n_rois).

    A frame whose window reaches past either end or holds a NaN keeps its own value, so frame 0 stays NaN
    and no unmeasured frame is invented or spread. Events of up to ``frames // 2`` frames disappear; steps
    stay where they are (Tukey 1977, *Exploratory Data Analysis*).
    """
    if frames % 2 == 0 or frames < 1:
        raise ValueError(f"the running median needs an odd number of frames, got {frames}")
    half = frames // 2
    despiked = values.copy()
    if values.shape[0] < frames:
        return despiked
    medians = np.median(sliding_window_view(values, frames, axis=0), axis=-1)
    inner = despiked[half : values.shape[0] - half]
    np.copyto(inner, medians.astype(values.dtype), where=np.isfinite(medians))
    return despiked


def frame_wide_change(values: np.ndarray, frames: int = STILL_FRAMES) -> np.ndarray:
    """(n_frames,) bool: frames in which :data:`FRAME_WIDE_MIN_ROIS` or more still ROIs change at once.

    An ROI is still around a frame when the running median over ``frames`` frames of its signal (``values``,
    (n_frames, n_rois) fraction of pixels changed) is 0 there, and changes in it when its own value is
    above 0: a lone change. Lone changes of several tanks in one frame are the encoder's, not the animals'.
    """
    lone = (values > 0) & (despike(values, frames) == 0)
    flagged: np.ndarray = lone.sum(axis=1) >= FRAME_WIDE_MIN_ROIS
    return flagged


@dataclass(frozen=True, eq=False)
class MotionSignal:
    """Per-frame motion of every ROI of one video, with timestamps and every parameter that produced it."""

    roi_names: tuple[str, ...]
    values: np.ndarray
    """(n_frames, n_rois) float32 fraction of ROI pixels changed, 0-1, despiked; row 0 is NaN (no previous
    frame)."""
    timestamps_s: np.ndarray
    """(n_frames,) float64 seconds since the first decoded frame, from the container's timestamps."""
    fps: float
    params: dict[str, object]
    video: VideoInfo

    @property
    def n_frames(self) -> int:
        """Number of decoded frames."""
        return int(self.values.shape[0])

    def column(self, roi_name: str) -> np.ndarray:
        """The (n_frames,) float32 signal of one ROI."""
        try:
            return self.values[:, self.roi_names.index(roi_name)]
        except ValueError:
            raise KeyError(f"no ROI {roi_name!r}; ROIs: {', '.join(self.roi_names)}") from None


@dataclass(frozen=True)
class _RoiPlan:
    """Where one ROI's pixels lie in the processed (blurred, subsampled) region and how many there are."""

    region: int
    rows: slice
    cols: slice
    mask: np.ndarray | None
    pixels: int


@dataclass(frozen=True)
class _Plan:
    """The crop read from each frame, the regions blurred inside it, and each ROI's place in them."""

    read_crop: tuple[int, int, int, int]
    regions: tuple[tuple[slice, slice], ...]
    rois: tuple[_RoiPlan, ...]
    strategy: str


def _padded_box(roi: ROI, pad: int, step: int, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """ROI bounding box grown by the blur radius, clamped to the frame, origin on the subsampling grid."""
    width, height = size
    x0, y0, x1, y1 = roi.bounds()
    x0, y0 = max(x0 - pad, 0), max(y0 - pad, 0)
    return x0 - x0 % step, y0 - y0 % step, min(x1 + pad, width), min(y1 + pad, height)


def _area(box: tuple[int, int, int, int]) -> int:
    """Pixel count of an (x0, y0, x1, y1) box."""
    return (box[2] - box[0]) * (box[3] - box[1])


def _plan(rois: Sequence[ROI], size: tuple[int, int], pad: int, step: int) -> _Plan:
    """Blur the union of the padded ROI boxes, or each box alone when together they cover fewer pixels."""
    boxes = [_padded_box(roi, pad, step, size) for roi in rois]
    union = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    per_roi = len(boxes) > 1 and sum(_area(b) for b in boxes) < _area(union)
    regions = boxes if per_roi else [union]
    ux, uy = union[0], union[1]
    plans = []
    for i, roi in enumerate(rois):
        index = i if per_roi else 0
        rx0, ry0, rx1, ry1 = regions[index]
        canvas = np.zeros((ry1 - ry0, rx1 - rx0), dtype=bool)
        x0, y0, x1, y1 = roi.bounds()
        canvas[y0 - ry0 : y1 - ry0, x0 - rx0 : x1 - rx0] = roi.mask()
        sampled = canvas[::step, ::step]
        pixels = int(sampled.sum())
        if pixels == 0:
            raise ROIError(
                f"ROI {roi.label!r} holds no pixel on the 1-in-{step} sampling grid; use subsample=1"
            )
        rows_any, cols_any = np.flatnonzero(sampled.any(axis=1)), np.flatnonzero(sampled.any(axis=0))
        rows = slice(int(rows_any[0]), int(rows_any[-1]) + 1)
        cols = slice(int(cols_any[0]), int(cols_any[-1]) + 1)
        local = sampled[rows, cols]
        mask = None if local.all() else local.astype(np.uint8) * 255
        plans.append(_RoiPlan(index, rows, cols, mask, pixels))
    crop = (ux, uy, union[2] - ux, union[3] - uy)
    region_slices = tuple((slice(b[1] - uy, b[3] - uy), slice(b[0] - ux, b[2] - ux)) for b in regions)
    return _Plan(crop, region_slices, tuple(plans), "per-roi" if per_roi else "union")


class _Blur:
    """The blur (and subsampling) step, writing into a preallocated buffer."""

    def __init__(self, sigma: float, step: int) -> None:
        if step not in (1, 2):
            raise ValueError(f"subsample must be 1 or 2, got {step}")
        if sigma <= 0:
            raise ValueError(f"blur_sigma must be positive, got {sigma}")
        self.pyramid = step == 2 and sigma == 1.0
        if step == 2 and not self.pyramid:
            raise ValueError(
                "subsample=2 uses the sigma-1 binomial pyramid kernel; use subsample=1 for other sigmas"
            )
        self.step = step
        self.sigma = sigma
        self.ksize = 5 if self.pyramid else gaussian_ksize(sigma)
        self.radius = self.ksize // 2

    def output_shape(self, shape: tuple[int, int]) -> tuple[int, int]:
        """Shape of the blurred, subsampled image of an input of ``shape``."""
        if self.pyramid:
            return (shape[0] + 1) // 2, (shape[1] + 1) // 2
        return shape

    def __call__(self, src: np.ndarray, dst: np.ndarray) -> None:
        """Blur ``src`` into ``dst``."""
        if self.pyramid:
            cv2.pyrDown(src, dst, (dst.shape[1], dst.shape[0]))
        else:
            cv2.GaussianBlur(src, (self.ksize, self.ksize), self.sigma, dst, self.sigma)

    def describe(self) -> dict[str, object]:
        """Provenance of the blur."""
        kind = "binomial [1 4 6 4 1]/16 via cv2.pyrDown" if self.pyramid else "cv2.GaussianBlur"
        return {"blur": kind, "blur_sigma": self.sigma, "blur_ksize": self.ksize, "subsample": self.step}


def motion_signal(
    video: str | Path | VideoReader,
    rois: Sequence[ROI] | None = None,
    *,
    pixel_cutoff: float = DEFAULT_PIXEL_CUTOFF,
    blur_sigma: float = DEFAULT_BLUR_SIGMA,
    subsample: int = DEFAULT_SUBSAMPLE,
    max_frames: int | None = None,
    backend: Backend = "auto",
    threads: int = 0,
) -> MotionSignal:
    """Decode a video once; return the changed-pixel fraction per frame for each ROI (whole frame if none).

    Parameters
    ----------
    video
        A video file, or a reader already open on it (closed on return).
    rois
        The regions, in pixels of the full frame; None or empty measures the whole frame.
    pixel_cutoff
        Grey levels (0-255, full range) a blurred pixel must change by between frames to count as changed.
    blur_sigma
        Standard deviation of the Gaussian blur, in pixels.
    subsample
        2 measures every second pixel of every second row (sigma 1 only); 1 measures every pixel.
    max_frames
        Stop after this many frames; None reads the whole video.
    backend, threads
        The reader (see :func:`tracking.video.reader.open_video`) and its decoder threads.

    Returns
    -------
    MotionSignal
        Per frame and ROI the fraction (0-1) of the ROI's pixels that changed, after a Hampel filter over
        :data:`HAMPEL_FRAMES` frames (:func:`hampel`) that leaves out frames of frame-wide change
        (:func:`frame_wide_change`), frame 0 NaN; the timestamps
        in seconds, the frame rate in fps, every parameter and the decode report.
    """
    if not pixel_cutoff >= 0:
        raise ValueError(f"pixel_cutoff must be >= 0 grey levels, got {pixel_cutoff}")
    blur = _Blur(blur_sigma, subsample)
    reader = video if isinstance(video, VideoReader) else open_video(video, backend=backend, threads=threads)
    with reader:
        size = (reader.width, reader.height)
        roi_list = list(rois) if rois else [RectROI(WHOLE_FRAME_LABEL, 0, 0, reader.width, reader.height)]
        validate_rois(roi_list, size)
        plan = _plan(roi_list, size, blur.radius, blur.step)
        threshold = math.floor(pixel_cutoff / reader.luma_scale)
        changed = _run(reader, plan, blur, threshold, max_frames)
        frame_wide = frame_wide_change(changed)
        values = hampel(changed, left_out=frame_wide)
        info = reader.info()
        timestamps = reader.timestamps()
    params = _provenance(pixel_cutoff, blur, reader.luma_scale, threshold, plan, info, roi_list, max_frames)
    params["frame_wide_change"] = {
        "rule": f">= {FRAME_WIDE_MIN_ROIS} still ROIs (running median 0) change in the same frame",
        "left_out_of_the_hampel_windows": True,
        "frames": int(frame_wide.sum()),
    }
    return MotionSignal(tuple(r.label for r in roi_list), values, timestamps, info.fps, params, info)


def _provenance(
    pixel_cutoff: float,
    blur: _Blur,
    luma_scale: float,
    threshold: int,
    plan: _Plan,
    info: VideoInfo,
    rois: Sequence[ROI],
    max_frames: int | None,
) -> dict[str, object]:
    """Every parameter that produced a motion signal, as its result records them."""
    return {
        "method": METHOD,
        "pixel_cutoff": pixel_cutoff,
        **blur.describe(),
        "luma_scale": luma_scale,
        "threshold_stored_levels": threshold,
        "changed_when": "blurred stored-level difference > threshold_stored_levels",
        "despike": {
            "filter": "hampel",
            "frames": HAMPEL_FRAMES,
            "sds": HAMPEL_SDS,
            "scale": "1.4826 x median absolute deviation of the window",
            "median": "lower median of the window's frames not left out",
        },
        "frame0": "NaN (no previous frame)",
        "strategy": plan.strategy,
        "backend": info.backend,
        "rois": [roi.to_dict() for roi in rois],
        "roi_pixels_sampled": [p.pixels for p in plan.rois],
        "max_frames": max_frames,
    }


def _run(reader: VideoReader, plan: _Plan, blur: _Blur, threshold: int, max_frames: int | None) -> np.ndarray:
    """The per-frame loop: blur each region, difference with the previous frame, threshold, count per ROI."""
    capacity = max(reader.metadata_frame_count or 0, 256) + 16
    values = np.empty((capacity, len(plan.rois)), dtype=np.float32)
    shapes = [blur.output_shape((r.stop - r.start, c.stop - c.start)) for r, c in plan.regions]
    current = [np.empty(s, dtype=np.uint8) for s in shapes]
    previous = [np.empty(s, dtype=np.uint8) for s in shapes]
    changed = [np.empty(s, dtype=np.uint8) for s in shapes]
    scratch = [np.empty(p.mask.shape, dtype=np.uint8) if p.mask is not None else None for p in plan.rois]
    jobs = [
        (changed[p.region][p.rows, p.cols], p.mask, out, 1.0 / p.pixels)
        for p, out in zip(plan.rois, scratch, strict=True)
    ]
    n = 0
    for _, frame in reader.frames(crop=plan.read_crop, max_frames=max_frames, raw_luma=True):
        for (rows, cols), cur, prev, diff in zip(plan.regions, current, previous, changed, strict=True):
            blur(frame[rows, cols], cur)
            if n:
                cv2.absdiff(cur, prev, diff)
                cv2.threshold(diff, threshold, 255, cv2.THRESH_BINARY, diff)
        if n == values.shape[0]:
            values = np.concatenate([values, np.empty_like(values)])
        row = values[n]
        if n:
            for j, (view, mask, out, scale) in enumerate(jobs):
                row[j] = cv2.countNonZero(view if mask is None else cv2.bitwise_and(view, mask, out)) * scale
        else:
            row[:] = np.nan
        current, previous = previous, current
        n += 1
    return values[:n].copy()
