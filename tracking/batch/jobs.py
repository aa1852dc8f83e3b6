"""The work of a batch: its inputs, what every video is scored with, and one job per input.

:func:`find_videos` expands files and folders into inputs; :func:`resolve_request` turns a method, a preset
and overrides into scoring parameters and signal options; :func:`make_job` pairs one input with them (and,
for a method that scores pose files, with its DeepLabCut file) as a :class:`VideoJob`, the unit a runner
ships to a worker; :func:`request_of` is what a job asks for, as its result document records it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracking.batch.documents import VideoOutputs
from tracking.batch.starts import StartRequest
from tracking.motion.scoring import resolve_rois
from tracking.pose.batch import find_pose_inputs, pose_for_input, pose_video_stem
from tracking.rules.methods import MethodName
from tracking.rules.presets import ScoringParams, get_preset, method_of
from tracking.video.files import VIDEO_SUFFIXES, folder_videos
from tracking.video.rois import ROI, RoiFile
from writing.documents import jsonable


@dataclass(frozen=True)
class BatchSettings:
    """What every video of a batch is scored with and where the results go.

    ``decode_threads`` is each job's decoder thread count: 1 by default, since the batch puts one process on
    each core, which decodes more frames per second in total than fewer multi-threaded decoders.
    ``whole_frame`` scores a video without ROIs as one animal even when several tanks are detected in it
    (:mod:`tracking.batch.preflight` refuses that otherwise). ``starts`` says where each animal's test starts
    (:class:`tracking.batch.starts.StartRequest`; default: with its video). ``some_tanks`` lets the ROIs
    cover only some of a video's tanks (a study scores the tanks that hold its live sessions); otherwise a
    tank detected without an ROI refuses the video.
    """

    out_dir: Path
    params: ScoringParams
    signal_options: Mapping[str, Any] = field(default_factory=dict)
    rois: RoiFile | tuple[ROI, ...] | None = None
    per_frame: bool = False
    overlay: bool = False
    software_version: str = ""
    decode_threads: int = 1
    whole_frame: bool = False
    starts: StartRequest = field(default_factory=StartRequest)
    some_tanks: bool = False


@dataclass(frozen=True)
class VideoJob:
    """One input to score with one method: the unit of work a runner ships to a worker.

    ``video`` is the input as given (a video, or for a method that scores pose files a pose file alone);
    ``pose`` is the pose file scored (such methods only).
    """

    video: Path
    method: MethodName
    settings: BatchSettings
    pose: Path | None = None

    @property
    def source(self) -> Path:
        """The file whose content is scored: the pose file, else the video."""
        return self.pose if self.pose is not None else self.video

    @property
    def stem(self) -> str:
        """The name of the job's output files: the video's stem (a pose file alone: its video's stem)."""
        if self.pose is not None and self.video == self.pose:
            return pose_video_stem(self.pose)
        return self.video.stem

    @property
    def outputs(self) -> VideoOutputs:
        """The job's result files in the batch's output folder."""
        return VideoOutputs(self.settings.out_dir, self.stem)

    @property
    def roi_name(self) -> str:
        """The file name the job's ROIs are looked up by in an ROI file."""
        return self.video.name if self.pose is None or self.video != self.pose else self.stem


def find_videos(paths: Iterable[str | Path], method: str = "motion") -> list[Path]:
    """Expand inputs: a file is taken as it is; a folder gives its video files (by suffix), sorted.

    Overlays written by an earlier batch (``*.overlay.mp4``) and hidden files are left out of folders. For a
    method that scores pose files a folder also gives the pose files of videos that are not in it
    (:func:`tracking.pose.batch.find_pose_inputs`). PresetError for an unknown method.
    """
    pose_files = method_of(method).pose_files
    videos: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and pose_files:
            found = find_pose_inputs(path)
            if not found:
                raise ValueError(f"no videos or DeepLabCut files in folder {path}")
            videos.extend(found)
        elif path.is_dir():
            found = folder_videos(path)
            if not found:
                suffixes = ", ".join(sorted(VIDEO_SUFFIXES))
                raise ValueError(f"no video files in folder {path} (looked for {suffixes})")
            videos.extend(found)
        else:
            videos.append(path)
    return videos


def resolve_request(
    method: str,
    preset: str,
    overrides: Mapping[str, Any] | None = None,
    presets_dir: str | Path | None = None,
) -> tuple[ScoringParams, dict[str, Any]]:
    """The scoring parameters and signal options of a batch: preset, calibrated signal, then ``overrides``.

    Raises PresetError naming an unknown method, preset, parameter or value.
    """
    engine = method_of(method).engine()
    signal, scoring = engine.split_overrides(overrides or {})
    params = get_preset(preset, method, directory=presets_dir, **scoring)
    return params, engine.signal_options(preset, signal, presets_dir)


def make_job(path: str | Path, method: str, settings: BatchSettings) -> VideoJob:
    """The job of one input; for a method that scores pose files, its pose file is found by name.

    Raises PresetError for an unknown method, PoseFileError when the input has no pose file.
    """
    path = Path(path)
    chosen = method_of(method)
    pose = pose_for_input(path) if chosen.pose_files else None
    return VideoJob(path, chosen.name, settings, pose)


def request_of(job: VideoJob) -> dict[str, Any]:
    """What a job asks for, as recorded in its result document; equal requests give equal results."""
    settings = job.settings
    starts = settings.starts
    try:
        rois = resolve_rois(settings.rois, job.roi_name)
    except ValueError:
        rois = None
    request: dict[str, Any] = jsonable(
        {
            "method": job.method,
            "scoring": settings.params.to_dict(),
            "signal_options": dict(settings.signal_options),
            "rois": None if rois is None else [roi.to_dict() for roi in rois],
            **({"pose_file": job.pose.name} if job.pose is not None else {}),
            **({"starts": starts.to_dict(job.roi_name)} if starts != StartRequest() else {}),
        }
    )
    return request


def longest_first(jobs: Sequence[VideoJob], lengths: Mapping[Path, float | None]) -> list[VideoJob]:
    """The jobs in the order a pool should start them: the longest video (``lengths``, seconds) first.

    Handing out the long videos first leaves short ones for the end, so the workers finish together rather
    than one running the last long video alone. A job of unknown length (no header, a pose file scored
    alone) could be the longest and goes first; equal lengths keep their input order.
    """

    def longest(job: VideoJob) -> float:
        length = lengths.get(job.video)
        return -(math.inf if length is None else length)

    return sorted(jobs, key=longest)


__all__ = [
    "BatchSettings",
    "VideoJob",
    "find_videos",
    "longest_first",
    "make_job",
    "request_of",
    "resolve_request",
]
