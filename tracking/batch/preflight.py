"""Pre-flight checks: each video of a batch is read from its header, and refused before any is decoded.

A video is refused, alone, when it is shorter than the test start plus the end of the preset's scored window
(it would be "scored" with nothing in the window); when its ROIs do not fit it (drawn on frames of another
size, outside the frame, or away from the tanks detected in its first frame); and when it shows several tanks
but is scored without ROIs, unless the batch asks for the whole frame. Each refusal is a
:class:`PreflightError` naming the video, what it is and what was expected; :func:`preflight` runs them all
for one job.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tracking.batch.jobs import VideoJob
from tracking.errors import TrackingError
from tracking.motion.scoring import resolve_rois
from tracking.rules.methods import METHODS
from tracking.rules.presets import ScoringParams
from tracking.rules.summary import scored_window
from tracking.video.files import is_video_file
from tracking.video.probe import VideoHeader, header_of
from tracking.video.reader import open_video
from tracking.video.rois import ROI, CircleROI, ROIError, RoiFile, roi_contains, validate_rois
from tracking.video.tanks import detect_tanks


class PreflightError(TrackingError, ValueError):
    """A video refused before decoding; the message names the video, what it is and what was expected."""


def needed_length_s(params: ScoringParams, start_s: float = 0.0) -> float:
    """Seconds of video the scored window needs: the test start plus the window's end (or start, if open)."""
    window_start, window_end, _ = scored_window(params, start_s, video_end_s=0.0)
    return window_end if params.window_end_s is not None else window_start


def check_length(header: VideoHeader, params: ScoringParams, *, start_s: float = 0.0) -> None:
    """Refuse a video shorter than ``start_s`` (the test start, in video seconds) plus the scored window.

    A window ending at a time needs the video to reach it, within one frame; a window open to the end of the
    video needs the video to run past its start. A header that announces no length is not refused here (the
    decode report then says how much decoded).
    """
    if header.duration_s is None:
        return
    needed = needed_length_s(params, start_s)
    if params.window_end_s is not None:
        frame_s = 1.0 / header.fps if header.fps else 0.0
        short = header.duration_s + frame_s < needed
        need = f"{needed:g} s (test start {start_s:g} s + window end {params.window_end_s:g} s)"
    else:
        short = header.duration_s <= needed
        need = f"more than {needed:g} s (test start {start_s:g} s + window start {params.window_start_s:g} s)"
    if short:
        raise PreflightError(
            f"video {header.path.name} is {header.duration_s:.1f} s long ({header.describe()}) but the "
            f"{params.name!r} preset's scored window needs {need}; refused: it would be scored with "
            "nothing in the window. Use a preset or window_start_s/window_end_s that fit the recording"
        )


def check_rois(
    header: VideoHeader,
    rois: Sequence[ROI],
    tanks: Sequence[CircleROI],
    *,
    drawn_on: tuple[int, int] | None = None,
    some_tanks: bool = False,
) -> None:
    """Refuse ROIs that do not fit the video: its frame size, its frame, the tanks detected in it.

    ``drawn_on`` is the (width, height) of the frames the ROIs were drawn on, when the ROI file records it.
    ``tanks`` are the tanks detected in the video's first frame: every ROI must hold exactly one tank's
    centre and every tank's centre must lie in an ROI (no tank detected, as with square cages: not checked),
    unless ``some_tanks`` says the ROIs cover only some of the tanks.
    """
    if drawn_on is not None and drawn_on != header.size:
        problems = [
            f"the ROIs were drawn on {drawn_on[0]}x{drawn_on[1]} frames, the video's are "
            f"{header.width}x{header.height}"
        ]
    else:
        try:
            validate_rois(rois, header.size)
        except ROIError as error:
            problems = [str(error)]
        else:
            problems = tank_disagreements(rois, tanks, some_tanks=some_tanks)
    if problems:
        raise PreflightError(
            f"the ROIs given for video {header.path.name} ({header.describe()}) do not fit it: "
            + "; ".join(problems)
            + ". Refused: give ROIs drawn for this video (behavlab rois detect proposes them)"
        )


def tank_disagreements(
    rois: Sequence[ROI], tanks: Sequence[CircleROI], *, some_tanks: bool = False
) -> list[str]:
    """Where ROIs and detected tanks disagree: an ROI on no tank or on several, a tank without an ROI.

    With ``some_tanks``, a tank without an ROI is no disagreement.
    """
    if not tanks:
        return []
    xs = np.array([tank.cx for tank in tanks])
    ys = np.array([tank.cy for tank in tanks])
    covered = np.zeros(len(tanks), dtype=bool)
    problems: list[str] = []
    for roi in rois:
        inside = roi_contains(roi, xs, ys)
        covered |= inside
        if not inside.any():
            problems.append(f"ROI {roi.label!r} lies where no tank was detected")
        elif inside.sum() > 1:
            problems.append(f"ROI {roi.label!r} covers {int(inside.sum())} tanks; each ROI is one animal")
    problems.extend(
        f"the tank detected at ({tank.cx:.0f}, {tank.cy:.0f}) has no ROI"
        for tank, has_roi in zip(tanks, covered, strict=True)
        if not (has_roi or some_tanks)
    )
    return problems


def check_whole_frame(header: VideoHeader, tanks: Sequence[CircleROI]) -> None:
    """Refuse scoring the whole frame as one animal when several tanks were detected in it."""
    if len(tanks) > 1:
        where = ", ".join(f"({tank.cx:.0f}, {tank.cy:.0f})" for tank in tanks)
        raise PreflightError(
            f"video {header.path.name} ({header.describe()}) shows {len(tanks)} tanks, at {where}, but "
            "no ROIs were given: the whole frame would be scored as one animal. Refused: give one ROI per "
            "tank (behavlab rois detect proposes them), or ask for whole-frame scoring (--whole-frame)"
        )


def check_manifest(job: VideoJob, rois: Sequence[ROI] | None) -> None:
    """Refuse a video when the batch's start manifest has no row for some of its ROIs (or for the video)."""
    labels = [roi.label for roi in rois] if rois is not None else []
    missing = job.settings.starts.missing_rois(job.roi_name, labels)
    if missing or (job.settings.starts.manifest and rois is None):
        raise PreflightError(
            f"the start manifest has no test start for video {job.roi_name}"
            + (f", ROI(s) {', '.join(map(repr, missing))}" if missing else " (scored without ROIs)")
            + "; refused: add a row (video, roi, start_s) for each of its ROIs"
        )


def preflight(job: VideoJob, *, start_s: float | None = None) -> VideoHeader | None:
    """Check one job's video from its header (and first frame) before it is decoded; its header.

    ``start_s`` is the test start in video seconds (None: the latest start the batch enters for the video's
    ROIs, 0 when none is entered). With a start manifest, an ROI of the video without a row is refused.
    A pose file scored without its video has no header
    (None). The length and whole-frame checks apply to methods that score the video's pixels (a pose method
    scores the pose file's frames, and the file tells its animals apart); the whole-frame check is skipped
    when the batch asks for the whole frame. ROIs are checked for every method.

    Raises
    ------
    PreflightError
        The video is too short for the window, its ROIs do not fit it, or it shows several tanks and has
        no ROIs.
    VideoOpenError, ROIError
        The video cannot be opened; the ROI file has no ROIs for it.
    """
    if not is_video_file(job.video):
        return None
    settings = job.settings
    rois = resolve_rois(settings.rois, job.roi_name)
    check_manifest(job, rois)
    if start_s is None:
        start_s = settings.starts.latest_for(job.roi_name)
    scores_pixels = not METHODS[job.method].pose_files
    count_tanks = rois is None and scores_pixels and not settings.whole_frame
    with open_video(job.video, threads=1) as reader:
        header = header_of(reader)
        if scores_pixels:
            check_length(header, settings.params, start_s=start_s)
        if rois is None and not count_tanks:
            return header
        _, first = next(reader.frames(max_frames=1))
        tanks = detect_tanks(first)
    if rois is None:
        check_whole_frame(header, tanks)
    else:
        drawn_on = settings.rois.frame_size if isinstance(settings.rois, RoiFile) else None
        check_rois(header, rois, tanks, drawn_on=drawn_on, some_tanks=settings.some_tanks)
    return header


__all__ = [
    "PreflightError",
    "check_length",
    "check_manifest",
    "check_rois",
    "check_whole_frame",
    "needed_length_s",
    "preflight",
    "tank_disagreements",
]
