"""Scoring pose tracks with the same bout rule and outputs as the motion method."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tracking.pose.files import find_video_for_pose
from tracking.pose.io import read_dlc
from tracking.pose.speed import PoseSignal, PoseSignalParams, pose_signals, signal_params_for
from tracking.pose.tracks import PoseFileError, PoseTracks
from tracking.rules.presets import ScoringParams, get_preset
from tracking.rules.starts import VIDEO_START, AnimalStart
from tracking.rules.summary import AnimalResult, score_signal


def score_pose_signal(
    signal: PoseSignal, params: ScoringParams, start: AnimalStart = VIDEO_START
) -> AnimalResult:
    """Score one animal's pose signal from its test ``start``; the signal's provenance and warnings join."""
    if params.method != "pose":
        raise ValueError(f"preset {params.name!r} is for the {params.method} method; use a pose preset")
    if signal.units.startswith("px") and params.threshold != "auto":
        raise ValueError(
            f"preset {params.name!r} has a fixed threshold in cm/s, but no pixel scale was given: "
            "give px_per_cm or the tank's diameter in pixels"
        )
    result = score_signal(
        signal.signal, signal.timestamps, fps=signal.fps, params=params, animal=signal.individual, start=start
    )
    return dataclasses.replace(
        result,
        params={**result.params, "signal": signal.params},
        warnings=(*signal.warnings, *result.warnings),
    )


def score_pose_tracks(
    tracks: PoseTracks,
    params: ScoringParams,
    signal: PoseSignalParams | None = None,
    *,
    individuals: Sequence[str] | None = None,
) -> list[AnimalResult]:
    """Score every individual of the tracks (the signal defaults to the preset's, see ``SIGNAL_PRESETS``)."""
    signal = signal if signal is not None else signal_params_for(params.name)
    return [score_pose_signal(s, params) for s in pose_signals(tracks, signal, individuals=individuals)]


def video_fps(video: str | Path) -> float:
    """The nominal frame rate in a video's metadata (read without decoding frames)."""
    from tracking.video.reader import open_video

    with open_video(video) as reader:
        fps = reader.metadata_fps
    if not fps:
        raise PoseFileError(video, "the video states no frame rate; give fps")
    return float(fps)


def score_pose_file(
    path: str | Path,
    fps: float | None = None,
    preset: str = "fst",
    *,
    signal: PoseSignalParams | None = None,
    preset_dir: str | Path | None = None,
    individuals: Sequence[str] | None = None,
    **overrides: Any,
) -> list[AnimalResult]:
    """Score a DeepLabCut file: one result per individual, as the motion method's ``score_video``.

    ``fps`` defaults to the frame rate of the video the file was made from (found by name next to it).
    ``overrides`` change the scoring preset (``threshold``, ``min_bout_s``...); the pixel scale and other
    signal choices go in ``signal`` (default: the preset's pose signal, see ``SIGNAL_PRESETS``).
    """
    path = Path(path)
    if fps is None:
        video = find_video_for_pose(path)
        if video is None:
            raise PoseFileError(path, "no frame rate: give fps, or keep the video next to its pose file")
        fps = video_fps(video)
    tracks = read_dlc(path, fps=fps)
    params = get_preset(preset, "pose", directory=preset_dir, **overrides)
    return score_pose_tracks(tracks, params, signal, individuals=individuals)
