"""Each animal's test start from its ROI's motion signal: the first sustained rise above the empty tank.

Real forced-swim videos start before the mouse is in the water: the camera runs, then each mouse is lowered
into its tank, seconds to a minute apart. Until then the ROI shows only the empty tank's own motion (ripples,
reflections, camera and compression noise); the entry is a splash that changes a large part of the ROI, and
the animal then swims. :func:`detect_start` estimates the empty tank's baseline from the first seconds of
the signal (median and robust spread) and returns the first frame of the first sustained run far above it,
with a confidence and every parameter used.

Notes
-----
Thresholds, and why:

- Baseline: median and robust spread of the first :data:`DEFAULT_BASELINE_S` seconds of the despiked signal
  (below), robust to an entry inside that stretch so long as most of it is empty water. The spread is the
  scaled MAD (1.4826 x MAD estimates the standard deviation of Gaussian noise; Rousseeuw & Croux 1993, JASA
  88:1273-1283) or, when larger, the scaled distance from the median to the 90th percentile: still water
  with a calibrated cutoff changes no pixel in most frames, so its MAD is 0 while ripples under a lossy
  encoder still add small runs of changed pixels. When nothing rises above that, a second pass uses the MAD
  alone (breakdown point 50 %), which tolerates an entry in the second half of the baseline stretch.
- Rise: ``baseline + max(k x spread, min_rise)``. ``k`` = :data:`DEFAULT_NOISE_SDS` robust SDs is far beyond
  any excursion of the noise; ``min_rise`` (:data:`DEFAULT_MIN_RISE`, a fraction of the ROI's pixels) is the
  floor for an empty tank whose spread is 0: with the pixel cutoff calibrated on empty-tank noise (ezTrack's
  rule, :mod:`tracking.motion.noise`), water changes almost no pixel, while the splash of even a 12 x 6 px
  mouse in a 67-px-radius tank changes 2-8 % of them.
- Sustained: the signal is first despiked by a running median of :data:`START_DESPIKE_FRAMES` frames
  (:func:`tracking.motion.signal.despike`; Tukey 1977, *Exploratory Data Analysis*), so that single-frame
  jumps (an encoder's keyframe, a flash) never count and never pull the start early; then more than half
  of the frames of a :data:`DEFAULT_SUSTAIN_S` window must be above the rise (the window's median above
  it), so one quiet frame inside a splash does not break it. The start is the window's first frame above
  the rise.
- Confidence (0-1): ``1 - required rise / observed rise``, the observed rise being the median of the
  undespiked signal over the sustain window from the start, minus the baseline, and the required rise the
  threshold minus the baseline; 0 when the rise only just reaches the threshold, 0.5 at twice it, towards 1
  for a splash far above it (clipped to 0-1). ``evidence`` holds ``baseline``, ``noise_sd``, ``threshold``
  (fractions 0-1 of the ROI's pixels changed per frame) and ``rise_ratio`` (observed / required rise).
- Present at start: when the first seconds are not still water (their median is above ``min_rise``) and
  nothing rises far above them, they may hold the animal; the rise is then ``min_rise`` over a still-water
  baseline of 0, and a run starting at the first measured frame means the animal was in the water from the
  first frame (start 0). An empty tank whose own water changes more than ``min_rise`` of its pixels per frame
  (a pixel cutoff too low for it) looks the same: calibrate the cutoff on the empty tank
  (:func:`tracking.motion.noise.calibrate_noise`) or raise ``min_rise``.

ANY-maze and EthoVision likewise start each arena's test when the animal is first detected in it. On
synthetic 4-tank videos (10 and 25 fps, MPEG-4 and H.264, 12-px and tank-sized mice, lead-ins of 1-60 s,
drops up to 90 s apart, ripples up to 4 x the generator's default) every entry was found within 0.3 s, and
within 0.1 s at the default nuisances.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tracking.motion.signal import MotionSignal, despike
from tracking.rules.starts import DetectedStart, StartStatus

#: Seconds at the start of the video whose motion is taken as the empty tank's baseline.
DEFAULT_BASELINE_S = 4.0
#: Robust standard deviations of the baseline the signal must rise above.
DEFAULT_NOISE_SDS = 6.0
#: Smallest rise over the baseline that counts, as a fraction (0-1) of the ROI's pixels changed per frame.
DEFAULT_MIN_RISE = 0.005
#: Length (s) of the window in which more than half of the frames must be above the rise.
DEFAULT_SUSTAIN_S = 0.5
#: Scales a median absolute deviation to the standard deviation of Gaussian noise.
MAD_TO_SD = 1.4826
#: The upper quantile of the baseline whose distance from the median also measures its spread.
UPPER_QUANTILE = 0.9
#: The Gaussian 90th percentile in standard deviations: scales (90th percentile - median) to one.
UPPER_QUANTILE_TO_SD = 1.2816
_MIN_WINDOW_FRAMES = 3
#: Frames of the running median applied before the search: removes single-frame jumps.
START_DESPIKE_FRAMES = 3
#: Where the baseline came from, as the detection's ``params`` record it.
FIRST_FRAMES = "first frames"
FIRST_FRAMES_MAD = "first frames, MAD only"
STILL_WATER = "still water (the first frames are not)"


def _frame_times(n_frames: int, fps: float, timestamps: np.ndarray | None) -> np.ndarray:
    """The frames' times (s): the given timestamps, or ``arange(n_frames) / fps``."""
    if timestamps is None:
        return np.arange(n_frames) / fps
    times = np.asarray(timestamps, dtype=np.float64)
    if times.shape != (n_frames,):
        raise ValueError(f"timestamps must have one entry per frame ({n_frames}), got shape {times.shape}")
    return times


def robust_baseline(values: np.ndarray) -> tuple[float, float, float]:
    """Median and two robust standard deviations of the finite ``values``: MAD-based and upper; 0s if none.

    1.4826 x MAD and (90th percentile - median) / 1.2816 both estimate the standard deviation of Gaussian
    noise; the second still sees the noise when most frames of still water change no pixel at all (MAD 0),
    the first tolerates up to half of the values being something else (an entry late in the stretch).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 0.0, 0.0
    median = float(np.median(finite))
    mad_sd = MAD_TO_SD * float(np.median(np.abs(finite - median)))
    upper_sd = (float(np.quantile(finite, UPPER_QUANTILE)) - median) / UPPER_QUANTILE_TO_SD
    return median, mad_sd, upper_sd


def first_sustained_frame(above: np.ndarray, window: int) -> int | None:
    """First frame above, in the first ``window``-frame stretch with more than half its frames above."""
    if above.size < window:
        return None
    counts = sliding_window_view(above, window).sum(axis=1)
    sustained = np.flatnonzero(counts * 2 > window)
    if sustained.size == 0:
        return None
    first = int(sustained[0])
    return first + int(np.argmax(above[first : first + window]))


def rise_threshold(baseline: float, noise_sd: float, noise_sds: float, min_rise: float) -> float:
    """The level a rise must exceed (fraction of ROI pixels): ``baseline + max(noise_sds x sd, min_rise)``."""
    return baseline + max(noise_sds * noise_sd, min_rise)


def _first_rise(
    despiked: np.ndarray,
    passes: list[tuple[float, float, str]],
    noise_sds: float,
    min_rise: float,
    window: int,
) -> tuple[tuple[float, float, str], int | None]:
    """The first (baseline, spread, source) under which a sustained rise appears, and its frame; else None."""
    for candidate in passes:
        threshold = rise_threshold(candidate[0], candidate[1], noise_sds, min_rise)
        frame = first_sustained_frame(despiked > threshold, window)
        if frame is not None:
            return candidate, frame
    return passes[0], None


def detect_start(
    signal: np.ndarray,
    fps: float,
    timestamps: np.ndarray | None = None,
    *,
    baseline_s: float = DEFAULT_BASELINE_S,
    noise_sds: float = DEFAULT_NOISE_SDS,
    min_rise: float = DEFAULT_MIN_RISE,
    sustain_s: float = DEFAULT_SUSTAIN_S,
) -> DetectedStart:
    """Detect when the animal entered one ROI: the first sustained rise far above the empty tank's motion.

    Parameters
    ----------
    signal
        (n_frames,) motion of one ROI, fraction (0-1) of its pixels changed per frame; NaN where unmeasured
        (frame 0 of a motion signal).
    fps
        Frames per second.
    timestamps
        (n_frames,) frame times in seconds of video time (None: ``arange(n_frames) / fps``).
    baseline_s
        Seconds at the start taken as the empty tank's baseline.
    noise_sds
        Robust standard deviations of the baseline the signal must rise above.
    min_rise
        Smallest rise over the baseline that counts, fraction (0-1) of the ROI's pixels.
    sustain_s
        Seconds of the window in which more than half of the frames must be above the rise.

    Returns
    -------
    DetectedStart
        ``ENTERED`` with the entry's video time (s); ``PRESENT_AT_START`` with start 0 when the animal moves
        from the first measured frame; ``NO_ENTRY`` (no start) when the signal never rises; with a
        confidence (0-1), the evidence (baseline, robust SD and threshold as fractions of the ROI's pixels,
        the rise over the required rise; module Notes) and the parameters used.
    """
    if fps <= 0 or baseline_s <= 0 or sustain_s <= 0 or noise_sds < 0 or min_rise <= 0:
        raise ValueError("fps, baseline_s, sustain_s and min_rise must be > 0 and noise_sds >= 0")
    values = np.asarray(signal, dtype=np.float64)
    if values.size == 0:
        raise ValueError("the signal has no frames")
    times = _frame_times(values.size, fps, timestamps)
    window = max(_MIN_WINDOW_FRAMES, round(sustain_s * fps))
    despiked = despike(np.nan_to_num(values, nan=-np.inf), START_DESPIKE_FRAMES)
    median, mad_sd, upper_sd = robust_baseline(despiked[times < times[0] + baseline_s])
    passes = [(median, max(mad_sd, upper_sd), FIRST_FRAMES)]
    passes.append((median, mad_sd, FIRST_FRAMES_MAD) if median <= min_rise else (0.0, 0.0, STILL_WATER))
    params: dict[str, Any] = {
        "method": "first sustained rise over the empty-tank baseline (median, robust SD)",
        "spread": "max(1.4826 x MAD, (90th percentile - median) / 1.2816); MAD alone on a second pass",
        "baseline_s": baseline_s,
        "noise_sds": noise_sds,
        "min_rise": min_rise,
        "sustain_s": sustain_s,
        "sustain_frames": window,
        "despike": f"running median of {START_DESPIKE_FRAMES} frames",
    }
    (baseline, noise_sd, baseline_from), frame = _first_rise(despiked, passes, noise_sds, min_rise, window)
    threshold = rise_threshold(baseline, noise_sd, noise_sds, min_rise)
    params["baseline_from"] = baseline_from
    evidence = {"baseline": baseline, "noise_sd": noise_sd, "threshold": threshold}
    if frame is None:
        return DetectedStart(StartStatus.NO_ENTRY, None, None, None, evidence, params)
    rise_ratio = (float(np.nanmedian(values[frame : frame + window])) - baseline) / (threshold - baseline)
    evidence["rise_ratio"] = rise_ratio
    confidence = float(np.clip(1.0 - 1.0 / rise_ratio, 0.0, 1.0)) if rise_ratio > 0 else 0.0
    measured = np.flatnonzero(np.isfinite(values))
    present = baseline_from == STILL_WATER and frame <= (int(measured[0]) if measured.size else 0)
    status = StartStatus.PRESENT_AT_START if present else StartStatus.ENTERED
    start_frame = 0 if present else frame
    start_s = 0.0 if present else float(times[frame])
    return DetectedStart(status, start_s, start_frame, confidence, evidence, params)


def detect_starts(signal: MotionSignal, **options: float) -> dict[str, DetectedStart]:
    """:func:`detect_start` for every ROI of a video's motion signal, keyed by ROI label.

    Parameters
    ----------
    signal
        The video's per-frame motion of each ROI, with its timestamps (s) and frame rate (fps).
    **options
        ``baseline_s``, ``noise_sds``, ``min_rise``, ``sustain_s`` for :func:`detect_start`.

    Returns
    -------
    dict[str, DetectedStart]
        Each ROI's detected start.
    """
    return {
        label: detect_start(signal.column(label), signal.fps, signal.timestamps_s, **options)
        for label in signal.roi_names
    }
