"""Pixel-cutoff calibration from a clip of the empty tank, as ezTrack does it.

With no animal in view every frame-to-frame change of the blurred grey image is noise (sensor noise,
compression, flicker, water). The suggested pixel cutoff is twice the 99.99th percentile of that change, so
that noise almost never counts as motion.

Notes
-----
ezTrack (Pennington et al. 2019, Sci Rep 9:19979), ``FreezeAnalysis_Functions.Calibrate``: grey frame ->
``cv2.GaussianBlur`` on float values with ``ksize=(0, 0)`` and sigma 1 (OpenCV then derives a 9 x 9 kernel) ->
absolute difference of consecutive frames -> 99.99th percentile over the first 600 frames (``cal_frms``) ->
cutoff = 2 x percentile. ezTrack samples 10,000 random pixels per frame; here every pixel of the frame (or of
the ROI) is used, through a histogram with 1/64 grey-level bins, so memory stays flat and the result is
deterministic. ezTrack reports 9.79 for its practice clip ``Freezing_calibration.wmv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from tracking.motion.signal import DEFAULT_BLUR_SIGMA, gaussian_ksize
from tracking.video.info import VideoInfo
from tracking.video.reader import Backend, VideoReader, open_video
from tracking.video.rois import ROI, full_mask, validate_rois

DEFAULT_PERCENTILE = 99.99
DEFAULT_FACTOR = 2.0
DEFAULT_CALIBRATION_FRAMES = 600
_BINS_PER_LEVEL = 64
_N_BINS = 256 * _BINS_PER_LEVEL


@dataclass(frozen=True)
class NoiseCalibration:
    """The suggested pixel cutoff and the noise statistics it comes from."""

    suggested_cutoff: float
    percentile_change: float
    mean_change: float
    n_frames: int
    n_samples: int
    params: dict[str, object]
    video: VideoInfo


def _percentile_from_histogram(counts: np.ndarray, percentile: float) -> float:
    """The percentile of binned values, interpolating linearly inside the bin that holds it."""
    cumulative = np.cumsum(counts, dtype=np.float64)
    target = percentile / 100.0 * cumulative[-1]
    index = int(np.searchsorted(cumulative, target, side="left"))
    before = cumulative[index - 1] if index else 0.0
    inside = (target - before) / counts[index] if counts[index] else 0.0
    return (index + inside) / _BINS_PER_LEVEL


def _change_histogram(
    reader: VideoReader, roi: ROI | None, blur_sigma: float, ksize: int, max_frames: int | None
) -> tuple[np.ndarray, float]:
    """Histogram (1/64 grey-level bins) and sum of the change between consecutive blurred frames."""
    counts = np.zeros(_N_BINS, dtype=np.int64)
    total = 0.0
    size = (reader.width, reader.height)
    crop = None
    mask = None
    if roi is not None:
        validate_rois([roi], size)
        x0, y0, x1, y1 = roi.bounds()
        crop = (x0, y0, x1 - x0, y1 - y0)
        mask = full_mask(roi, size)[y0:y1, x0:x1]
    previous: np.ndarray | None = None
    for _, grey in reader.frames(crop=crop, max_frames=max_frames):
        blurred = cv2.GaussianBlur(grey.astype(np.float32), (ksize, ksize), blur_sigma)
        if previous is not None:
            change = cv2.absdiff(blurred, previous)
            samples = change[mask] if mask is not None else change.ravel()
            total += float(samples.sum(dtype=np.float64))
            bins = np.minimum(samples * _BINS_PER_LEVEL, _N_BINS - 1).astype(np.intp)
            counts += np.bincount(bins, minlength=_N_BINS)
        previous = blurred
    return counts, total


def calibrate_noise(
    video: str | Path | VideoReader,
    roi: ROI | None = None,
    *,
    blur_sigma: float = DEFAULT_BLUR_SIGMA,
    percentile: float = DEFAULT_PERCENTILE,
    factor: float = DEFAULT_FACTOR,
    max_frames: int | None = DEFAULT_CALIBRATION_FRAMES,
    backend: Backend = "auto",
) -> NoiseCalibration:
    """Suggest the pixel cutoff (grey levels) from an empty-tank clip: ``factor`` x the noise percentile.

    Parameters
    ----------
    video
        A clip of the empty tank (path or open reader).
    roi
        The region to measure (None: the whole frame).
    blur_sigma
        The Gaussian blur's sigma in pixels, as the motion signal applies it.
    percentile
        The percentile of the frame-to-frame change taken as the noise level, in (0, 100).
    factor
        The suggested cutoff over that percentile.
    max_frames
        Frames read at most (None: the whole clip).
    backend
        The decoder (``"auto"``, ``"pyav"`` or ``"opencv"``).

    Returns
    -------
    NoiseCalibration
        The suggested cutoff and the noise percentile and mean in grey levels (0-255), with the frames and
        pixel samples measured.

    Raises
    ------
    ValueError
        A percentile outside (0, 100), or fewer than two decodable frames.
    """
    if not 0 < percentile < 100:
        raise ValueError(f"percentile must be in (0, 100), got {percentile}")
    ksize = gaussian_ksize(blur_sigma)
    reader = video if isinstance(video, VideoReader) else open_video(video, backend=backend)
    with reader:
        counts, total = _change_histogram(reader, roi, blur_sigma, ksize, max_frames)
        info = reader.info()
    n_samples = int(counts.sum())
    if n_samples == 0:
        raise ValueError(f"{info.path}: calibration needs at least two decodable frames")
    value = _percentile_from_histogram(counts, percentile)
    params = _noise_params(roi, blur_sigma, ksize, percentile, factor, max_frames, info.backend)
    mean = total / n_samples
    return NoiseCalibration(factor * value, value, mean, info.decoded_frames, n_samples, params, info)


def _noise_params(
    roi: ROI | None,
    blur_sigma: float,
    ksize: int,
    percentile: float,
    factor: float,
    max_frames: int | None,
    backend: str,
) -> dict[str, object]:
    """How the noise was measured and the cutoff derived: blur, percentile, frames, histogram bins, region."""
    return {
        "blur": "cv2.GaussianBlur on float32 grey",
        "blur_sigma": blur_sigma,
        "blur_ksize": ksize,
        "percentile": percentile,
        "factor": factor,
        "max_frames": max_frames,
        "histogram_bin_grey_levels": 1.0 / _BINS_PER_LEVEL,
        "roi": roi.to_dict() if roi is not None else None,
        "backend": backend,
    }
