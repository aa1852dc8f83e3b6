"""Scoring FST videos: batches, rescoring, proposing tank ROIs and the pixel cutoff, with the app's errors.

A thin layer over :mod:`tracking`: it resolves the preset directory and the software version, picks the
runner, and turns the library's errors into :class:`~behavlab.errors.BehavlabError` messages. Nothing here
touches the database. The tracking modules are imported on first use: decoding and plotting libraries take
about a second to import, which every other command would otherwise pay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from behavlab import __version__
from behavlab.errors import InvalidInputError, NotFoundError
from behavlab.services.library_errors import tracking_errors

if TYPE_CHECKING:
    from tracking.batch.run import BatchProgress, BatchReport
    from tracking.batch.starts import StartRequest
    from tracking.motion.noise import NoiseCalibration
    from tracking.video.rois import CircleROI


def presets_directory() -> Path:
    """Where calibrated presets are kept: ``<user data dir>/behavlab/presets``."""
    return platformdirs.user_data_path("behavlab") / "presets"


def runner_for(jobs: int | None, dask: str | None) -> Any:
    """The local process pool, or a Dask cluster (``"local"`` or a ``tcp://`` scheduler address)."""
    from tracking.batch.runners import DaskRunner, LocalRunner

    if jobs is not None and jobs < 1:
        raise InvalidInputError(f"--jobs must be at least 1, got {jobs}")
    if dask is None:
        return LocalRunner(jobs)
    if dask != "local" and not dask.startswith(("tcp://", "tls://")):
        raise InvalidInputError(f"--dask {dask!r} is not accepted; expected 'local' or tcp://HOST:PORT")
    return DaskRunner(dask, jobs)


def score_videos(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    method: str = "motion",
    pose_files: Sequence[str | Path] = (),
    rois_file: str | Path | None = None,
    preset: str = "fst",
    overrides: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    per_frame: bool = False,
    overlay: bool = False,
    whole_frame: bool = False,
    start_s: float | None = None,
    manifest: str | Path | None = None,
    detect_start: bool = False,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> BatchReport:
    """Score the videos (files or folders) into ``out_dir``; failed videos are in the report, not raised.

    Each video is checked before any is decoded (:mod:`tracking.batch.preflight`): one too short for the
    preset's scored window, whose ROIs do not fit it, or showing several tanks without ROIs (unless
    ``whole_frame``) fails alone, with the reason in the report.

    ``method`` is ``motion`` or ``pose``: the pose method pairs each video with its DeepLabCut file by name,
    and ``pose_files`` are pose files scored alone (their frame rate from ``overrides["fps"]`` when their
    video is not beside them). ``overrides`` hold scoring parameters and the method's signal options (pose:
    ``px_per_cm``, ``tank_diameter_px``, ``bodyparts``...).

    Each animal's test starts where ``start_s`` (one start, in seconds of video time, for every ROI of every
    video; 0: with the video) or ``manifest`` (a CSV of video, ROI and start) says; without either, each
    start is detected (``detect_start`` asks for it explicitly): the motion method finds each ROI's entry
    into the water, the pose method the first sustained run of frames where the animal is tracked well.

    With ``dask``, paths are made absolute before they are shipped to the workers, which must see them on a
    shared filesystem (a worker that cannot fails each video naming the path and itself).
    """
    from tracking.batch.jobs import BatchSettings, find_videos, resolve_request
    from tracking.batch.run import run_batch
    from tracking.rules.methods import METHODS
    from tracking.video.rois import load_rois

    pose_methods = [chosen.name for chosen in METHODS.values() if chosen.pose_files]
    if pose_files and method not in pose_methods:
        raise InvalidInputError(
            f"pose files are scored by the {' or '.join(pose_methods)} method, not {method!r}; "
            f"use --method {pose_methods[0]}"
        )
    inputs = [shipped_path(path, dask) for path in (*paths, *pose_files)]
    if not inputs:
        raise InvalidInputError("nothing to score: give videos or folders, or pose files with --pose")
    missing = [str(p) for p in inputs if not Path(p).exists()]
    if missing:
        raise NotFoundError(f"no such file or folder: {', '.join(missing)}")
    with tracking_errors():
        params, signal_options = resolve_request(method, preset, overrides, presets_directory())
        settings = BatchSettings(
            out_dir=shipped_path(out_dir, dask),
            params=params,
            signal_options=signal_options,
            rois=load_rois(rois_file) if rois_file is not None else None,
            per_frame=per_frame,
            overlay=overlay,
            software_version=__version__,
            whole_frame=whole_frame,
            starts=start_request(start_s, manifest, detect_start),
        )
        return run_batch(
            find_videos(inputs, method),
            settings,
            method=method,
            runner=runner_for(jobs, dask),
            resume=resume,
            on_progress=on_progress,
        )


def shipped_path(path: str | Path, dask: str | None) -> Path:
    """A path as the workers get it: absolute on Dask (a worker resolves a relative one in its own folder)."""
    return Path(path).absolute() if dask is not None else Path(path)


def start_request(start_s: float | None, manifest: str | Path | None, detect_start: bool) -> StartRequest:
    """Where a batch's tests start (detected unless entered); InvalidInputError for two sources.

    Raises ManifestError (a tracking error) for a manifest that cannot be used.
    """
    from tracking.batch.starts import StartRequest, read_manifest

    given = [name for name, value in (("--start-s", start_s), ("--manifest", manifest)) if value is not None]
    given += ["--detect-start"] if detect_start else []
    if len(given) > 1:
        raise InvalidInputError(f"{' and '.join(given)} both give test starts; give one of them")
    if start_s is not None and not start_s >= 0:
        raise InvalidInputError(f"--start-s {start_s:g} is not accepted; expected seconds >= 0 of video time")
    return StartRequest(
        every_s=start_s,
        manifest=read_manifest(manifest) if manifest is not None else {},
        detect=detect_start or (start_s is None and manifest is None),
    )


def rescore_videos(
    out_dir: str | Path, *, preset: str | None = None, overrides: Mapping[str, Any] | None = None
) -> BatchReport:
    """Re-apply scoring parameters to an output folder from its signal caches, without decoding."""
    from tracking.batch.rescore import rescore_folder

    if not Path(out_dir).is_dir():
        raise NotFoundError(f"no such output folder: {out_dir}")
    with tracking_errors():
        return rescore_folder(
            out_dir,
            preset=preset,
            presets_dir=presets_directory(),
            software_version=__version__,
            **dict(overrides or {}),
        )


@dataclass(frozen=True)
class RoiProposal:
    """Tanks proposed for a video, and the ROI file and image written for the user to check."""

    rois: tuple[CircleROI, ...]
    json_path: Path
    png_path: Path


def detect_rois(video: str | Path, out: str | Path, *, n_tanks: int | None = None) -> RoiProposal:
    """Find circular tanks in the first frame; write them as the ROI file's default and a PNG to check.

    The ROI file records the size of the frame the tanks were found on, so a video of another size is refused.
    """
    from tracking.video.overlay import first_frame
    from tracking.video.roi_drawing import write_roi_png
    from tracking.video.rois import RoiFile
    from tracking.video.tanks import detect_tanks
    from writing.atomic import atomic_write
    from writing.documents import write_json

    if n_tanks is not None and n_tanks < 1:
        raise InvalidInputError(f"--tanks must be at least 1, got {n_tanks}")
    with tracking_errors():
        frame = first_frame(video)
    rois = tuple(detect_tanks(frame, n_tanks=n_tanks))
    if not rois:
        raise InvalidInputError(
            f"no circular tank found in the first frame of {video}; write the ROI file by hand "
            "(rectangle, circle or polygon entries; see `behavlab score --help`)"
        )
    if n_tanks is not None and len(rois) < n_tanks:
        raise InvalidInputError(
            f"found {len(rois)} tank(s) in {video}, not {n_tanks}; "
            "check the lighting or write the ROI file by hand"
        )
    with tracking_errors():
        drawn_on = (frame.shape[1], frame.shape[0])
        json_path = write_json(out, RoiFile(default=rois, frame_size=drawn_on).to_dict())
        png_path = atomic_write(Path(out).with_suffix(".png"), lambda tmp: write_roi_png(tmp, frame, rois))
    return RoiProposal(rois, json_path, png_path)


def suggest_pixel_cutoff(
    video: str | Path, *, rois_file: str | Path | None = None, roi: str | None = None
) -> NoiseCalibration:
    """The pixel cutoff suggested by an empty-tank clip (whole frame, or one ROI of an ROI file)."""
    from tracking.motion.noise import calibrate_noise
    from tracking.video.rois import load_rois

    if roi is not None and rois_file is None:
        raise InvalidInputError("--roi names an ROI of the --rois file; give --rois FILE too")
    with tracking_errors():
        region = None
        if rois_file is not None:
            rois = load_rois(rois_file).for_video(video)
            labels = [r.label for r in rois]
            if roi is None and len(rois) != 1:
                raise InvalidInputError(
                    f"{rois_file} has {len(rois)} ROIs; pick one with --roi ({', '.join(labels)})"
                )
            if roi is not None and roi not in labels:
                raise InvalidInputError(f"no ROI {roi!r} in {rois_file}; ROIs: {', '.join(labels)}")
            region = rois[labels.index(roi)] if roi is not None else rois[0]
        return calibrate_noise(video, region)
