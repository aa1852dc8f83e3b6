"""Each animal's test start from its pose tracks: the first sustained run of frames where it is tracked well.

Before a mouse is lowered into its tank, DeepLabCut still writes a point for every body part of every frame,
but on an empty tank the score maps have no clear peak and the likelihoods stay low (with a confident false
detection now and then, on a reflection or the tank's rim). Once the mouse is in the water its body parts are
found in most frames with likelihoods near 1. :func:`detect_pose_start` returns the first frame of the first
sustained stretch where most chosen body parts are at or above the pose method's likelihood cutoff
(:data:`tracking.pose.clean.DEFAULT_MIN_LIKELIHOOD` unless the signal's parameters say otherwise), in the
same :class:`~tracking.rules.starts.DetectedStart` as the motion method's detection.

Notes
-----
- Tracked frame: at least :data:`DEFAULT_MIN_PARTS` of the chosen body parts have a likelihood at or above the
  cutoff, so one occluded paw (DeepLabCut's usual dropout) does not untrack a frame, and one confident false
  detection on an empty tank does not track it.
- Sustained: from the start frame on, at least :data:`DEFAULT_MIN_TRACKED` of the frames of the next
  :data:`DEFAULT_SUSTAIN_S` seconds are tracked, and the start frame itself is tracked; a short burst of false
  detections in the lead-in is not a start.
- Confidence (0-1): the tracked share of that stretch minus the tracked share of the lead-in before it (0
  lead-in frames count as none tracked), so a clean step from untracked to tracked is close to 1 and a
  lead-in already half tracked halves it. ``evidence`` holds ``lead_in_tracked_parts`` and
  ``lead_in_tracked_parts_sd`` (median and robust SD, 1.4826 x MAD, of the fraction 0-1 of body parts
  tracked per frame before the start; 0 without a lead-in) and ``min_parts``.
- Present at start: a run that starts at the first frame (the mouse was in the water when the video began).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tracking.motion.start import robust_baseline
from tracking.pose.speed import PoseSignalParams
from tracking.pose.tracks import PoseTracks
from tracking.rules.starts import AnimalStart, DetectedStart, StartStatus, starts_from_detections

#: Fraction (0-1) of the chosen body parts at or above the likelihood cutoff for a frame to count as tracked.
DEFAULT_MIN_PARTS = 0.5
#: Length (s) of the stretch that must be mostly tracked from the start on.
DEFAULT_SUSTAIN_S = 1.0
#: Fraction (0-1) of the stretch's frames that must be tracked.
DEFAULT_MIN_TRACKED = 0.8
_MIN_WINDOW_FRAMES = 3


def tracked_parts(likelihood: np.ndarray, min_likelihood: float) -> np.ndarray:
    """Per frame, the fraction (0-1) of body parts whose likelihood is at or above ``min_likelihood``.

    Parameters
    ----------
    likelihood
        (n_frames, n_bodyparts) DeepLabCut likelihoods (0-1) of one individual; NaN counts as below.
    min_likelihood
        The cutoff (0-1).

    Returns
    -------
    numpy.ndarray
        (n_frames,) fraction of the body parts tracked in each frame.
    """
    values = np.asarray(likelihood, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"likelihood must be (n_frames, n_bodyparts) with a body part, got {values.shape}")
    fraction: np.ndarray = np.mean(values >= min_likelihood, axis=1)
    return fraction


def _first_sustained(tracked: np.ndarray, window: int, min_tracked: float) -> int | None:
    """First tracked frame from which at least ``min_tracked`` of the next ``window`` frames are tracked."""
    if tracked.size < window:
        return None
    shares = sliding_window_view(tracked, window).mean(axis=1)
    candidates = np.flatnonzero((shares >= min_tracked) & tracked[: shares.size])
    return int(candidates[0]) if candidates.size else None


def detect_pose_start(
    likelihood: np.ndarray,
    fps: float,
    *,
    min_likelihood: float,
    min_parts: float = DEFAULT_MIN_PARTS,
    sustain_s: float = DEFAULT_SUSTAIN_S,
    min_tracked: float = DEFAULT_MIN_TRACKED,
) -> DetectedStart:
    """Detect when the animal appeared in its tracks: the first sustained run of well-tracked frames.

    Parameters
    ----------
    likelihood
        (n_frames, n_bodyparts) likelihoods (0-1) of the chosen body parts of one individual; row ``i`` is
        frame ``i``, shown at ``i / fps`` seconds of video time.
    fps
        Frames per second.
    min_likelihood
        The likelihood cutoff (0-1) of the pose method (:attr:`PoseSignalParams.min_likelihood`).
    min_parts
        Fraction (0-1) of the body parts at or above the cutoff for a frame to count as tracked.
    sustain_s
        Seconds from the start in which at least ``min_tracked`` of the frames must be tracked.
    min_tracked
        Fraction (0-1, above 0) of the stretch's frames that must be tracked.

    Returns
    -------
    DetectedStart
        ``ENTERED`` with the start's video time (s); ``PRESENT_AT_START`` (start 0) when tracked from the
        first frame; ``NO_ENTRY`` (no start) when never tracked for long enough; ``confidence`` (0-1) and
        ``evidence`` are described in the module Notes.
    """
    if fps <= 0 or sustain_s <= 0 or not 0 < min_tracked <= 1 or not 0 < min_parts <= 1:
        raise ValueError("fps and sustain_s must be > 0, min_tracked and min_parts in (0, 1]")
    parts = tracked_parts(likelihood, min_likelihood)
    tracked = parts >= min_parts
    window = max(_MIN_WINDOW_FRAMES, round(sustain_s * fps))
    params: dict[str, Any] = {
        "method": "first sustained run of frames with the body parts tracked at good likelihood",
        "min_likelihood": min_likelihood,
        "min_parts": min_parts,
        "sustain_s": sustain_s,
        "sustain_frames": window,
        "min_tracked": min_tracked,
    }
    frame = _first_sustained(tracked, window, min_tracked)
    lead_in = parts[: frame if frame is not None else parts.size]
    baseline, noise_sd, _ = robust_baseline(lead_in)
    evidence = {
        "lead_in_tracked_parts": baseline,
        "lead_in_tracked_parts_sd": noise_sd,
        "min_parts": min_parts,
    }
    if frame is None:
        return DetectedStart(StartStatus.NO_ENTRY, None, None, None, evidence, params)
    lead_in_tracked = float(tracked[:frame].mean()) if frame else 0.0
    confidence = max(0.0, float(tracked[frame : frame + window].mean()) - lead_in_tracked)
    status = StartStatus.PRESENT_AT_START if frame == 0 else StartStatus.ENTERED
    return DetectedStart(status, frame / fps, frame, confidence, evidence, params)


def detect_pose_starts(
    tracks: PoseTracks, labels: Mapping[str, str], params: PoseSignalParams, **options: float
) -> dict[str, DetectedStart]:
    """:func:`detect_pose_start` for each animal, from the body parts and cutoff its signal uses.

    Parameters
    ----------
    tracks
        The pose tracks, with their frame rate (fps).
    labels
        Animal label (ROI label or individual) -> the individual in ``tracks``.
    params
        The pose signal's parameters: its body parts (None: all) and likelihood cutoff (0-1).
    **options
        ``min_parts``, ``sustain_s``, ``min_tracked`` for :func:`detect_pose_start`.

    Returns
    -------
    dict[str, DetectedStart]
        Each animal's detected start, by label.
    """
    chosen = tracks.select(list(labels.values()), params.bodyparts)
    fps = chosen.frame_rate()
    return {
        label: detect_pose_start(
            chosen.likelihood[:, chosen.individuals.index(individual)],
            fps,
            min_likelihood=params.min_likelihood,
            **options,
        )
        for label, individual in labels.items()
    }


def detected_pose_starts(
    tracks: PoseTracks, labels: Mapping[str, str], params: PoseSignalParams
) -> tuple[dict[str, AnimalStart], dict[str, str]]:
    """Each animal's detected test start, and the animals never tracked for long enough, with the reason.

    Parameters
    ----------
    tracks
        The pose tracks, with their frame rate (fps).
    labels
        Animal label -> the individual in ``tracks``.
    params
        The pose signal's parameters (body parts, likelihood cutoff 0-1).

    Returns
    -------
    tuple of dict
        Starts (s of video time, source detected, confidence 0-1) by label; label -> why it has none.
    """
    parts = ", ".join(params.bodyparts) if params.bodyparts is not None else "all body parts"

    def never_tracked(label: str, found: DetectedStart) -> str:
        return (
            f"animal {label!r} is never tracked for {found.params['sustain_s']:g} s ({parts} at "
            f"likelihood >= {params.min_likelihood:g}); enter its test start (--start-s or a manifest)"
        )

    return starts_from_detections(detect_pose_starts(tracks, labels, params), never_tracked)
