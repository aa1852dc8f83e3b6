"""The pose method as a batch job: a DeepLabCut file (with its video, or alone) scored into a VideoScore.

The batch runner (:mod:`tracking.batch.run`) scores every method into a
:class:`tracking.rules.result.VideoScore`, so the pose method writes the same results, bins, per-frame
tables, QC plot, signal cache and document as the motion method, and rescoring reuses the cache
(:data:`ENGINE` is the pose method's entry in :data:`tracking.rules.methods.METHODS`). The per-frame pose
signal of each animal is the cache's column; what made it (cleaning steps, units, warnings) is kept in the
document's ``video_info["pose"]``, so a rescore gives the same warnings as the first scoring.

Animals are the file's individuals (``animal`` in a single-animal file). With ROIs, as when one camera films
several tanks, each ROI's animal is the individual whose tracked points lie in it most of the time, and the
results carry the ROI's label (e.g. a blind code).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tracking.batch.cache import SignalCache
from tracking.motion.scoring import StartsArg, entered_starts, resolve_rois
from tracking.pose.files import POSE_SUFFIXES, find_pose_file, find_video_for_pose, parse_pose_name
from tracking.pose.io import DLC_UNIQUE_BODYPARTS, read_dlc
from tracking.pose.score import score_pose_signal, video_fps
from tracking.pose.speed import PoseSignal, PoseSignalParams, pixel_scale, pose_signals, signal_params_for
from tracking.pose.start import detected_pose_starts
from tracking.pose.tracks import PoseFileError, PoseTracks
from tracking.rules.methods import METHODS, MethodEngine, MethodName
from tracking.rules.presets import PresetError, ScoringParams, preset_signal, split_overrides
from tracking.rules.result import VideoScore
from tracking.rules.starts import VIDEO_START, AnimalStart
from tracking.video.files import folder_videos
from tracking.video.hashing import content_hash
from tracking.video.reader import FPS_TOLERANCE, open_video
from tracking.video.rois import ROI, RectROI, roi_contains

if TYPE_CHECKING:
    from tracking.batch.jobs import VideoJob

#: Options of the pose signal a batch accepts besides the scoring parameters: the signal's own parameters
#: and ``fps`` (the frame rate of pose files scored without their video).
POSE_OPTIONS = (*(f.name for f in dataclasses.fields(PoseSignalParams)), "fps")
#: Tracked points an individual needs inside an ROI (fraction of its known points) to be that ROI's animal.
MIN_INSIDE_FRACTION = 0.5


def is_pose_file(path: str | Path) -> bool:
    """True for a file that is a DeepLabCut output by its suffix (``.h5``, ``.hdf5``, ``.csv``)."""
    return Path(path).suffix.lower() in (*POSE_SUFFIXES, ".hdf5")


def pose_video_stem(pose: str | Path) -> str:
    """The stem of the video a pose file was made from (from DeepLabCut's name), else the file's stem."""
    name = parse_pose_name(pose)
    return name.video_stem if name is not None else Path(pose).stem


def pose_for_input(path: str | Path) -> Path:
    """The pose file an input stands for: itself if it is one, else its video's DeepLabCut file by name."""
    path = Path(path)
    return path if is_pose_file(path) else find_pose_file(path)


def find_pose_inputs(folder: str | Path) -> list[Path]:
    """A folder's inputs for the pose method: its videos, and the pose files of videos not in the folder.

    Of several pose files for one absent video (filtered and raw, ``.h5`` and ``.csv``) the one
    :func:`tracking.pose.files.find_pose_file` prefers is taken.
    """
    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    videos = folder_videos(folder)
    have_video = {v.stem for v in videos}
    orphans = sorted(
        {
            name.video_stem
            for p in files
            if is_pose_file(p) and (name := parse_pose_name(p)) is not None
            if name.video_stem not in have_video
        }
    )
    return sorted([*videos, *(find_pose_file(folder / stem, folder) for stem in orphans)])


def split_pose_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split overrides into (pose signal options, scoring parameters); PresetError names unknown ones."""
    return split_overrides(overrides, POSE_OPTIONS, "pose")


def pose_signal_options(
    preset: str, options: Mapping[str, Any], presets_dir: str | Path | None = None
) -> dict[str, Any]:
    """The full pose signal options of a batch: the preset's signal (built-in or calibrated) with ``options``.

    Raises PresetError naming a value that is not accepted, or a pixel scale given twice.
    """
    options = dict(options)
    if options.get("px_per_cm") is not None and options.get("tank_diameter_px") is not None:
        raise PresetError("give the pixel scale once: px_per_cm or tank_diameter_px, not both")
    fps = options.pop("fps", None)
    if fps is not None and not (isinstance(fps, int | float) and np.isfinite(fps) and fps > 0):
        raise PresetError(f"fps = {fps!r} is not accepted; expected frames per second > 0")
    saved = METHODS["pose"].preset_options(preset_signal(preset, presets_dir))
    try:
        signal = signal_params_for(preset).replace(**{**saved, **options})
    except (TypeError, ValueError) as error:
        raise PresetError(f"pose signal options: {error}") from error
    return {**signal.to_dict(), **({"fps": float(fps)} if fps is not None else {})}


def _frame_rate(pose: Path, video: Path | None, fps: float | None) -> tuple[float, str, list[str]]:
    """The frame rate to use, where it came from, and a warning when a given rate disagrees with the video."""
    warnings: list[str] = []
    if video is None:
        if fps is None:
            raise PoseFileError(
                pose,
                "no frame rate: give fps (frames per second of the video the poses come from), "
                "or keep the video next to its pose file",
            )
        return float(fps), "given", warnings
    stated = video_fps(video)
    if fps is None:
        return stated, "video", warnings
    if abs(fps - stated) > FPS_TOLERANCE * stated:
        warnings.append(f"fps {fps:g} differs from the frame rate of {video.name} ({stated:g}); used {fps:g}")
    return float(fps), "given", warnings


def assign_individuals(tracks: PoseTracks, rois: Sequence[ROI]) -> dict[str, str]:
    """Each ROI's individual (ROI label -> individual): the one with most of its tracked points inside it.

    Raises PoseFileError naming an ROI that no individual occupies (at least half of its tracked points
    inside) or that two ROIs would share.
    """
    candidates = [i for i in tracks.individuals if i != DLC_UNIQUE_BODYPARTS] or list(tracks.individuals)
    inside: dict[str, dict[str, float]] = {}
    for roi in rois:
        inside[roi.label] = {}
        for individual in candidates:
            k = tracks.individuals.index(individual)
            x, y = tracks.x[:, k], tracks.y[:, k]
            known = np.isfinite(x) & np.isfinite(y)
            count = int(known.sum())
            inside[roi.label][individual] = float(roi_contains(roi, x, y).sum() / count) if count else 0.0
    assigned: dict[str, str] = {}
    for roi in rois:
        individual, fraction = max(inside[roi.label].items(), key=lambda item: item[1])
        if fraction < MIN_INSIDE_FRACTION:
            shares = ", ".join(f"{i} {f:.0%}" for i, f in inside[roi.label].items())
            raise PoseFileError(
                tracks.source,
                f"no tracked individual lies in ROI {roi.label!r} (share of each one's points inside: "
                f"{shares}); check the ROI file against the video",
            )
        if individual in assigned.values():
            other = next(label for label, i in assigned.items() if i == individual)
            raise PoseFileError(
                tracks.source, f"ROIs {other!r} and {roi.label!r} both hold individual {individual!r}"
            )
        assigned[roi.label] = individual
    return assigned


def _whole_frame(video: Path | None, label: str) -> tuple[ROI, ...]:
    """One whole-frame ROI for a single animal filmed alone (to draw the ROI image and overlay), or none."""
    if video is None:
        return ()
    with open_video(video) as reader:
        return (RectROI(label, 0, 0, reader.width, reader.height),)


def _animal_labels(tracks: PoseTracks, rois: Sequence[ROI] | None) -> dict[str, str]:
    """Animal label -> individual: each ROI's occupant, else every individual but DeepLabCut's ``single``."""
    if rois:
        return assign_individuals(tracks, rois)
    animals = [s for s in tracks.individuals if s != DLC_UNIQUE_BODYPARTS] or list(tracks.individuals)
    return {s: s for s in animals}


def _starts(
    tracks: PoseTracks,
    labels: Mapping[str, str],
    signal: PoseSignalParams,
    start_s: StartsArg,
    detect_start: bool,
) -> tuple[dict[str, AnimalStart], dict[str, str]]:
    """The animals' test starts by label and the animals that have none, with why.

    Entered starts come first; with ``detect_start`` the animals without one are detected, as the motion
    method does (:func:`tracking.motion.scoring.score_video`).
    """
    if detect_start and start_s is not None and not isinstance(start_s, Mapping):
        raise ValueError("give one test start for every animal or ask to detect them, not both")
    starts = entered_starts(start_s, list(labels))
    others = {label: individual for label, individual in labels.items() if label not in starts}
    if not detect_start or not others:
        return starts, {}
    detected, failed = detected_pose_starts(tracks, others, signal)
    return {**starts, **detected}, failed


def score_pose_job(
    pose: str | Path,
    params: ScoringParams,
    signal_options: Mapping[str, Any],
    *,
    video: str | Path | None = None,
    rois: Sequence[ROI] | None = None,
    version: str = "",
    start_s: StartsArg = None,
    detect_start: bool = False,
) -> VideoScore:
    """Score one pose file (its video, when given, supplies the frame rate and the name of the results).

    ``start_s`` is the entered test start (s of video time) of every animal, or of each by label (seconds
    entered, or an :class:`AnimalStart` with its source); ``detect_start`` detects the start of each animal
    ``start_s`` gives none, as the first sustained run of frames where its body parts are tracked at the
    signal's likelihood cutoff (:func:`tracking.pose.start.detect_pose_start`): an animal never tracked is
    not scored and is named in :attr:`VideoScore.failed` (PoseFileError naming every animal when none is
    left). One start for every animal and ``detect_start`` together raise ValueError.

    ``signal_options`` are :data:`POSE_OPTIONS` (see :func:`pose_signal_options`). Without a video the
    results are named after the video the pose file was made from (its DeepLabCut name), without suffix.
    """
    pose = Path(pose)
    video = Path(video) if video is not None else None
    options = dict(signal_options)
    fps, fps_source, warnings = _frame_rate(pose, video, options.pop("fps", None))
    signal = PoseSignalParams(**options)
    tracks = read_dlc(pose, fps=fps)
    labels = _animal_labels(tracks, rois)
    signals = pose_signals(tracks, signal, individuals=list(labels.values()))
    named = [dataclasses.replace(s, individual=label) for label, s in zip(labels, signals, strict=True)]
    starts, failed = _starts(tracks, labels, signal, start_s, detect_start)
    if len(failed) == len(labels):
        raise PoseFileError(pose, "; ".join(failed.values()))
    animals = tuple(
        score_pose_signal(s, params, starts.get(s.individual, VIDEO_START))
        for s in named
        if s.individual not in failed
    )
    used_rois = tuple(rois) if rois else (_whole_frame(video, named[0].individual) if len(named) == 1 else ())
    name = video if video is not None else pose.with_name(pose_video_stem(pose))
    scale = pixel_scale(signal.px_per_cm, signal.tank_diameter_px, signal.tank_diameter_cm)
    cache = SignalCache(
        values=np.column_stack([s.signal for s in named]),
        timestamps=named[0].timestamps,
        fps=fps,
        roi_labels=tuple(labels),
        video_hash=content_hash(pose),
        signal_params={"method": "pose", "signal": signal.to_dict(), "fps": fps, "individuals": labels},
        software_version=version,
    )
    info = {
        "path": name.name,
        "content_hash": cache.video_hash,
        "pose_file": pose.name,
        "video": video.name if video is not None else None,
        "video_hash": content_hash(video) if video is not None else None,
        "fps": fps,
        "fps_source": fps_source,
        "decoded_frames": tracks.n_frames,
        "scorer": tracks.scorer,
        "bodyparts": list(tracks.bodyparts),
        "individuals": list(tracks.individuals),
        "px_per_cm": scale,
        "warnings": warnings,
        "pose": {
            s.individual: {"units": s.units, "params": s.params, "warnings": list(s.warnings)} for s in named
        },
    }
    return VideoScore(name, "pose", params, animals, cache, used_rois, info, failed)


def rescore_pose(
    video: str | Path,
    cache: SignalCache,
    params: ScoringParams,
    *,
    rois: Sequence[ROI],
    video_info: Mapping[str, Any],
    method: MethodName = "pose",
    starts: Mapping[str, AnimalStart] | None = None,
    failed: Mapping[str, str] | None = None,
) -> VideoScore:
    """Score a pose job's cached signals with new ``params``, with the signal's provenance and warnings.

    ``starts`` are the animals' test starts by label (missing: the first frame); labels in ``failed`` are
    not scored.
    """
    stored = video_info["pose"]
    starts = starts or {}
    failed = dict(failed or {})
    animals = tuple(
        score_pose_signal(
            PoseSignal(
                label,
                cache.signal(label),
                cache.timestamps,
                cache.fps,
                stored[label]["units"],
                stored[label]["params"],
                pd.DataFrame(),
                tuple(stored[label]["warnings"]),
            ),
            params,
            starts.get(label, VIDEO_START),
        )
        for label in cache.roi_labels
        if label not in failed
    )
    return VideoScore(Path(video), method, params, animals, cache, tuple(rois), dict(video_info), failed)


def pose_job_video(job_input: str | Path, pose: str | Path) -> Path | None:
    """The video of a pose job: the input when it is a video, else the one found by name next to the file."""
    job_input = Path(job_input)
    if not is_pose_file(job_input):
        return job_input
    return find_video_for_pose(pose)


def score_job(job: VideoJob) -> VideoScore:
    """The pose method as a batch job: its DeepLabCut file, its video (if any) for the frame rate, ROIs."""
    if job.pose is None:
        raise ValueError(f"{job.video}: a pose job needs its pose file")
    settings = job.settings
    return score_pose_job(
        job.pose,
        settings.params,
        settings.signal_options,
        video=pose_job_video(job.video, job.pose),
        rois=resolve_rois(settings.rois, job.roi_name),
        version=settings.software_version,
        start_s=settings.starts.entered_for(job.roi_name),
        detect_start=settings.starts.detect,
    )


#: The pose method's implementation, as :data:`tracking.rules.methods.METHODS` finds it.
ENGINE = MethodEngine(
    score=score_job,
    rescore=rescore_pose,
    split_overrides=split_pose_overrides,
    signal_options=pose_signal_options,
    signal_option_names=POSE_OPTIONS,
)


__all__ = [
    "ENGINE",
    "POSE_OPTIONS",
    "assign_individuals",
    "find_pose_inputs",
    "is_pose_file",
    "pose_for_input",
    "pose_job_video",
    "pose_signal_options",
    "pose_video_stem",
    "rescore_pose",
    "score_job",
    "score_pose_job",
    "split_pose_overrides",
]
