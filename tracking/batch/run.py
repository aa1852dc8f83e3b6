"""Batch scoring: many videos, each an independent job, with resumable outputs and a progress callback.

The per-video work is one function of a :class:`VideoJob`, :func:`run_job`, which never raises for a bad
video: it returns a :class:`VideoOutcome` holding either the per-video result document or the reason it
failed. The scoring method is looked up in :data:`METHODS` (``"motion"``: the changed-pixel fraction of each
ROI; ``"pose"``: DeepLabCut tracks, each video paired with its pose file by name or a pose file scored
alone), each a :class:`Method` that scores a job and rescores a cached signal into a
:class:`tracking.motion.scoring.VideoScore`, so every method shares the outputs, resuming, runners and
progress
reporting. :func:`run_batch` skips finished videos when resuming, runs the rest on a runner
(:mod:`tracking.batch.runners`) and keeps ``results.csv`` and ``bins.csv`` up to date; :func:`rescore_folder`
re-applies scoring parameters to an output folder's signal caches without decoding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracking.batch.cache import load_signal_cache, save_signal_cache
from tracking.batch.outputs import (
    DOCUMENT_FORMAT,
    DOCUMENT_VERSION,
    VideoOutputs,
    load_document,
    write_summaries,
)
from tracking.batch.qc import plot_qc
from tracking.batch.runners import LocalRunner, Runner
from tracking.motion.scoring import (
    SIGNAL_OPTIONS,
    VideoScore,
    rescore,
    resolve_rois,
    score_video,
    split_overrides,
)
from tracking.pose.batch import (
    POSE_OPTIONS,
    find_pose_inputs,
    is_pose_file,
    pose_for_input,
    pose_job_video,
    pose_signal_options,
    pose_video_stem,
    preset_pose_options,
    rescore_pose,
    score_pose_job,
    split_pose_overrides,
)
from tracking.pose.io import PoseFileError
from tracking.rules.presets import PresetError, ScoringParams, get_preset, preset_signal, with_overrides
from tracking.video.files import VIDEO_SUFFIXES, folder_videos
from tracking.video.overlay import first_frame, write_overlay
from tracking.video.reader import content_hash
from tracking.video.rois import ROI, RoiFile, roi_from_dict, write_roi_png
from writing.atomic import atomic_write, ensure_folder, remove_temporaries
from writing.documents import jsonable, write_json, write_table

_SUMMARY_INTERVAL_S = 5.0


@dataclass(frozen=True)
class BatchSettings:
    """What every video of a batch is scored with and where the results go.

    ``decode_threads`` is each job's decoder thread count: 1 by default, since the batch puts one process on
    each core (``--jobs``), which decodes more frames per second in total than fewer multi-threaded decoders.
    """

    out_dir: Path
    params: ScoringParams
    signal_options: Mapping[str, Any] = field(default_factory=dict)
    rois: RoiFile | tuple[ROI, ...] | None = None
    per_frame: bool = False
    overlay: bool = False
    software_version: str = ""
    decode_threads: int = 1


@dataclass(frozen=True)
class VideoJob:
    """One input to score with one method: the unit of work a runner ships to a worker.

    ``video`` is the input as given (a video, or for the pose method a pose file alone); ``pose`` is the
    pose file scored (pose method only).
    """

    video: Path
    method: str
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


@dataclass(frozen=True)
class VideoOutcome:
    """What became of one video: its result document, or why it failed; ``skipped`` when resumed.

    ``frames`` counts the frames decoded for it in this run (0 when skipped, failed or rescored).
    """

    video: Path
    document: Mapping[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0
    skipped: bool = False
    frames: int = 0

    @property
    def ok(self) -> bool:
        """True when the video was scored (now or in an earlier run)."""
        return self.error is None


@dataclass(frozen=True)
class BatchProgress:
    """Progress reported after each video: counts so far and frames decoded per second of wall time."""

    videos_total: int
    videos_done: int
    videos_failed: int
    videos_skipped: int
    frames_decoded: int
    elapsed_s: float
    last: VideoOutcome | None = None

    @property
    def fps(self) -> float:
        """Frames decoded per second since the batch started."""
        return self.frames_decoded / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class BatchReport:
    """Every video's outcome in input order, and the summary files written."""

    outcomes: tuple[VideoOutcome, ...]
    results_csv: Path | None
    bins_csv: Path | None
    elapsed_s: float

    @property
    def failed(self) -> tuple[VideoOutcome, ...]:
        """Videos that could not be scored, with the reason."""
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def skipped(self) -> tuple[VideoOutcome, ...]:
        """Videos already finished in an earlier run (``resume``)."""
        return tuple(o for o in self.outcomes if o.skipped)

    @property
    def frames_decoded(self) -> int:
        """Frames decoded in this run."""
        return sum(o.frames for o in self.outcomes)


ProgressCallback = Callable[[BatchProgress], None]


def find_videos(paths: Iterable[str | Path], method: str = "motion") -> list[Path]:
    """Expand inputs: a file is taken as it is; a folder gives its video files (by suffix), sorted.

    Overlays written by an earlier batch (``*.overlay.mp4``) and hidden files are left out of folders. For
    the pose method a folder also gives the pose files of videos that are not in it
    (:func:`tracking.pose.batch.find_pose_inputs`).
    """
    videos: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and method == "pose":
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


def _score_motion(job: VideoJob) -> VideoScore:
    """The motion method: changed-pixel fraction per ROI, then the bout rule."""
    settings = job.settings
    return score_video(
        job.video,
        settings.rois,
        settings.params,
        threads=settings.decode_threads,
        version=settings.software_version,
        **settings.signal_options,
    )


def _score_pose(job: VideoJob) -> VideoScore:
    """The pose method: the job's DeepLabCut file, its video (if any) for the frame rate, the bout rule."""
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
    )


def _motion_options(
    preset: str, options: Mapping[str, Any], presets_dir: str | Path | None
) -> dict[str, Any]:
    """Motion-signal options: those a calibrated preset was fitted with, then the ones given."""
    return {**preset_signal(preset, presets_dir), **options}


@dataclass(frozen=True)
class Method:
    """A scoring method: how it scores a job and rescores a cached signal, and which options are its signal's.

    ``split`` separates keyword overrides into (signal options, scoring parameters); ``signal_options``
    completes the signal options for a preset; ``preset_options`` keeps those a calibrated preset saves;
    ``pose_files`` says whether inputs pair with pose files.
    """

    score: Callable[[VideoJob], VideoScore]
    rescore: Callable[..., VideoScore]
    split: Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
    signal_options: Callable[[str, Mapping[str, Any], str | Path | None], dict[str, Any]]
    preset_options: Callable[[Mapping[str, Any]], dict[str, Any]] = dict
    pose_files: bool = False


#: Scoring methods by name.
METHODS: dict[str, Method] = {
    "motion": Method(_score_motion, rescore, split_overrides, _motion_options),
    "pose": Method(
        _score_pose,
        rescore_pose,
        split_pose_overrides,
        pose_signal_options,
        preset_pose_options,
        pose_files=True,
    ),
}


def method_of(name: str) -> Method:
    """The scoring method called ``name``; PresetError naming the methods accepted."""
    try:
        return METHODS[name]
    except KeyError:
        raise PresetError(f"unknown method {name!r}; accepted: {', '.join(METHODS)}") from None


def resolve_request(
    method: str,
    preset: str,
    overrides: Mapping[str, Any] | None = None,
    presets_dir: str | Path | None = None,
) -> tuple[ScoringParams, dict[str, Any]]:
    """The scoring parameters and signal options of a batch: preset, calibrated signal, then ``overrides``.

    Raises PresetError naming an unknown preset, parameter or value.
    """
    chosen = method_of(method)
    signal, scoring = chosen.split(overrides or {})
    params = get_preset(preset, method, directory=presets_dir, **scoring)
    return params, chosen.signal_options(preset, signal, presets_dir)


def make_job(path: str | Path, method: str, settings: BatchSettings) -> VideoJob:
    """The job of one input; for the pose method its pose file is found (PoseFileError if there is none)."""
    path = Path(path)
    pose = pose_for_input(path) if method in METHODS and METHODS[method].pose_files else None
    return VideoJob(path, method, settings, pose)


def request_of(job: VideoJob) -> dict[str, Any]:
    """What a job asks for, as recorded in its result document; equal requests give equal results."""
    settings = job.settings
    try:
        rois = resolve_rois(settings.rois, job.roi_name)
    except ValueError:
        rois = None
    return jsonable(
        {
            "method": job.method,
            "scoring": settings.params.to_dict(),
            "signal_options": dict(settings.signal_options),
            "rois": None if rois is None else [roi.to_dict() for roi in rois],
            **({"pose_file": job.pose.name} if job.pose is not None else {}),
        }
    )


def video_document(
    score: VideoScore, outputs: VideoOutputs, *, software_version: str, request: Mapping[str, Any]
) -> dict[str, Any]:
    """The per-video JSON: request, every parameter, the software version, the decode report and results."""
    files = {
        "signal_cache": outputs.cache,
        "qc_png": outputs.qc_png,
        "rois_png": outputs.rois_png,
        "overlay": outputs.overlay,
    }
    frames = [outputs.frames_csv(result.animal) for result in score.animals]
    return jsonable(
        {
            "format": DOCUMENT_FORMAT,
            "version": DOCUMENT_VERSION,
            "video": score.video.name,
            "stem": outputs.stem,
            "method": score.method,
            "software": {"name": "behavlab", "version": software_version},
            "scored_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "request": request,
            "scoring": score.params.to_dict(),
            "signal": {
                "params": score.signal.signal_params,
                "software_version": score.signal.software_version,
            },
            "rois": [roi.to_dict() for roi in score.rois],
            "video_info": score.video_info,
            "animals": [
                {"animal": r.animal, "params": r.params, "warnings": list(r.warnings)} for r in score.animals
            ],
            "results": score.results_frame().to_dict("records"),
            "bins": score.bins_frame().to_dict("records"),
            "files": {
                **{kind: path.name for kind, path in files.items() if path.exists()},
                "frames_csv": [path.name for path in frames if path.exists()],
            },
        }
    )


def write_video_outputs(
    score: VideoScore,
    outputs: VideoOutputs,
    *,
    software_version: str,
    request: Mapping[str, Any],
    new_signal: bool,
    per_frame: bool,
    overlay: bool,
) -> dict[str, Any]:
    """Write one video's files, each atomically, the JSON document last (it marks the video finished).

    ``new_signal`` writes the signal cache and the ROI image (both need the freshly decoded video); a rescore
    leaves them as they are. The ROI image and the overlay need the video and one ROI per animal: a pose file
    scored alone, or several individuals without ROIs, have neither (the document's ``files`` says so).
    """
    drawable = bool(score.rois) and len(score.rois) == len(score.animals) and _is_video_file(score.video)
    if new_signal:
        save_signal_cache(outputs.cache, score.signal)
        if drawable:
            frame = first_frame(score.video)
            atomic_write(outputs.rois_png, lambda tmp: write_roi_png(tmp, frame, score.rois))
    atomic_write(outputs.qc_png, lambda tmp: plot_qc(score.animals, tmp, title=score.video.name))
    if per_frame:
        for result in score.animals:
            write_table(outputs.frames_csv(result.animal), result.frames_frame())
    if overlay and drawable:
        write_overlay(score, outputs.overlay)
    document = video_document(score, outputs, software_version=software_version, request=request)
    write_json(outputs.document, document)
    return document


def _is_video_file(path: Path) -> bool:
    """True when ``path`` names an existing file with a video suffix (not a pose file's notional name)."""
    return path.suffix.lower() in VIDEO_SUFFIXES and path.is_file()


def run_job(job: VideoJob) -> VideoOutcome:
    """Score one video and write its outputs; any failure is returned as the outcome's reason, not raised."""
    started = time.perf_counter()
    try:
        method = method_of(job.method)
    except PresetError as error:
        return VideoOutcome(job.video, error=str(error))
    try:
        score = method.score(job)
        document = write_video_outputs(
            score,
            job.outputs,
            software_version=job.settings.software_version,
            request=request_of(job),
            new_signal=True,
            per_frame=job.settings.per_frame,
            overlay=job.settings.overlay,
        )
    except Exception as error:
        return VideoOutcome(job.video, error=_reason(error, job.video), seconds=time.perf_counter() - started)
    return VideoOutcome(
        job.video,
        document=document,
        seconds=time.perf_counter() - started,
        frames=int(score.video_info["decoded_frames"]),
    )


def _reason(error: BaseException, path: Path | None = None) -> str:
    """Why a video failed, in one line: the message, with the error type unless the message explains it.

    A pose file error about the input itself gives its problem alone (the report names the input already).
    """
    if isinstance(error, PoseFileError) and path is not None and Path(error.path) == path:
        return error.problem
    text = str(error) or type(error).__name__
    known = (
        "VideoOpenError",
        "ROIError",
        "PresetError",
        "CacheError",
        "CacheMismatchError",
        "PoseFileError",
        "WriteError",
    )
    return text if type(error).__name__ in known else f"{type(error).__name__}: {text}"


def _finished(job: VideoJob) -> Mapping[str, Any] | None:
    """The document of a finished earlier run of exactly this job (same file content, same request)."""
    path = job.outputs.document
    if not path.is_file() or not job.source.is_file():
        return None
    try:
        document = load_document(path)
    except ValueError:
        return None
    same_video = document["video_info"].get("content_hash") == content_hash(job.source)
    return document if same_video and document.get("request") == request_of(job) else None


def _name_clashes(jobs: Sequence[VideoJob]) -> dict[Path, str]:
    """Inputs whose output names would overwrite an earlier input's, with the reason."""
    first: dict[str, Path] = {}
    clashes: dict[Path, str] = {}
    for job in jobs:
        stem = job.stem
        if stem in first and first[stem] != job.video:
            clashes[job.video] = f"its outputs would overwrite those of {first[stem]} (same name {stem!r})"
        first.setdefault(stem, job.video)
    return clashes


def run_batch(
    videos: Sequence[str | Path],
    settings: BatchSettings,
    *,
    method: str = "motion",
    runner: Runner | None = None,
    resume: bool = False,
    on_progress: ProgressCallback | None = None,
) -> BatchReport:
    """Score every video on ``runner`` (default: a local process pool on every CPU), writing its outputs.

    The output folder is checked writable before any video is decoded (:class:`writing.atomic.WriteError` if
    not).
    With ``resume``, a video whose result document records the same file content and the same request is not
    scored again, and the hidden temporary files of a killed run are removed first. A failing video does not
    stop the others (for the pose method, nor does a video without a pose file). ``results.csv`` and
    ``bins.csv`` (every finished video of this batch, sorted by name) are rewritten every few seconds and at
    the end; the per-video documents hold everything they are made from.
    """
    runner = runner if runner is not None else LocalRunner()
    started = time.perf_counter()
    paths = [Path(v) for v in videos]
    ensure_folder(settings.out_dir)
    if resume:
        remove_temporaries(settings.out_dir)
    outcomes: dict[Path, VideoOutcome] = {}
    jobs = []
    for path in paths:
        try:
            jobs.append(make_job(path, method, settings))
        except ValueError as error:
            outcomes[path] = VideoOutcome(path, error=_reason(error, path))
    clashes = _name_clashes(jobs)
    for job in jobs:
        if job.video in clashes:
            outcomes[job.video] = VideoOutcome(job.video, error=clashes[job.video])
        elif resume and (document := _finished(job)) is not None:
            outcomes[job.video] = VideoOutcome(job.video, document=document, skipped=True)
    pending = [job for job in jobs if job.video not in outcomes]

    def progress(last: VideoOutcome | None) -> None:
        if on_progress is not None:
            done = list(outcomes.values())
            on_progress(
                BatchProgress(
                    videos_total=len(paths),
                    videos_done=len(done),
                    videos_failed=sum(not o.ok for o in done),
                    videos_skipped=sum(o.skipped for o in done),
                    frames_decoded=sum(o.frames for o in done),
                    elapsed_s=time.perf_counter() - started,
                    last=last,
                )
            )

    progress(None)
    last_summary = time.perf_counter()
    for job, result in runner.map_unordered(run_job, pending):
        outcome = (
            result
            if isinstance(result, VideoOutcome)
            else VideoOutcome(job.video, error=f"the worker failed: {_reason(result)}")
        )
        outcomes[job.video] = outcome
        if time.perf_counter() - last_summary >= _SUMMARY_INTERVAL_S:
            _write_summaries(settings.out_dir, outcomes.values())
            last_summary = time.perf_counter()
        progress(outcome)
    written = _write_summaries(settings.out_dir, outcomes.values())
    ordered = tuple(outcomes[path] for path in dict.fromkeys(paths))
    return BatchReport(ordered, *written, elapsed_s=time.perf_counter() - started)


def _write_summaries(out_dir: Path, outcomes: Iterable[VideoOutcome]) -> tuple[Path | None, Path | None]:
    """``results.csv`` and ``bins.csv`` of the finished videos, sorted by video name (none: no files)."""
    documents = sorted((o.document for o in outcomes if o.document is not None), key=lambda d: d["video"])
    if not documents:
        return None, None
    return write_summaries(out_dir, documents)


def rescore_folder(
    out_dir: str | Path,
    *,
    preset: str | None = None,
    presets_dir: str | Path | None = None,
    software_version: str = "",
    **overrides: Any,
) -> BatchReport:
    """Re-apply scoring parameters to every finished video in an output folder, from its signal cache.

    Without ``preset`` each video keeps the parameters it was scored with and ``overrides`` change them;
    with ``preset`` that preset replaces them. No video is decoded: motion-signal options (pixel cutoff,
    blur) cannot change here. The QC plots, per-frame tables (where they were written), documents and the
    summaries are rewritten; the ROI image and any overlay stay as they were.
    """
    out_dir = Path(out_dir)
    started = time.perf_counter()
    signal_options, scoring = split_overrides(overrides, (*SIGNAL_OPTIONS, *POSE_OPTIONS), "motion or pose")
    if signal_options:
        raise PresetError(
            f"{', '.join(signal_options)} change(s) the signal itself; rescoring reuses the cached "
            "signal, so score the videos again to change them"
        )
    paths = sorted(p for p in out_dir.glob("*.json") if not p.name.startswith("."))
    documents = []
    for path in paths:
        try:
            documents.append(load_document(path))
        except ValueError:
            continue
    if not documents:
        raise ValueError(f"no scored videos in {out_dir} (no per-video result files <video>.json)")
    outcomes = []
    for document in documents:
        video = out_dir / document["video"]
        try:
            outcomes.append(
                _rescore_one(out_dir, document, preset, presets_dir, software_version, scoring, started)
            )
        except (ValueError, KeyError, OSError) as error:
            outcomes.append(VideoOutcome(video, error=_reason(error)))
    written = _write_summaries(out_dir, outcomes)
    return BatchReport(tuple(outcomes), *written, elapsed_s=time.perf_counter() - started)


def document_outputs(out_dir: str | Path, document: Mapping[str, Any]) -> VideoOutputs:
    """The result files of a per-video document in its output folder."""
    return VideoOutputs(Path(out_dir), document.get("stem") or Path(document["video"]).stem)


def rescore_document(
    out_dir: str | Path, document: Mapping[str, Any], params: ScoringParams | None = None
) -> VideoScore:
    """A finished video's scores recomputed from its signal cache (default: with the parameters it had)."""
    cache = load_signal_cache(
        document_outputs(out_dir, document).cache,
        video_hash=document["video_info"]["content_hash"],
        signal_params=document["signal"]["params"],
    )
    return method_of(document["method"]).rescore(
        Path(document["video"]),
        cache,
        params if params is not None else ScoringParams(**document["scoring"]),
        rois=[roi_from_dict(entry) for entry in document["rois"]],
        video_info=document["video_info"],
        method=document["method"],
    )


def _rescore_one(
    out_dir: Path,
    document: Mapping[str, Any],
    preset: str | None,
    presets_dir: str | Path | None,
    software_version: str,
    scoring: Mapping[str, Any],
    started: float,
) -> VideoOutcome:
    """Rescore one video's cached signal and rewrite its outputs."""
    outputs = document_outputs(out_dir, document)
    method = document["method"]
    if preset is None:
        params = with_overrides(ScoringParams(**document["scoring"]), **scoring)
    else:
        params = get_preset(preset, method, directory=presets_dir, **scoring)
    score = rescore_document(out_dir, document, params)
    request = {**document["request"], "scoring": jsonable(params.to_dict())}
    new_document = write_video_outputs(
        score,
        outputs,
        software_version=software_version,
        request=request,
        new_signal=False,
        per_frame=bool(document["files"]["frames_csv"]),
        overlay=False,
    )
    return VideoOutcome(Path(document["video"]), document=new_document, seconds=time.perf_counter() - started)


__all__ = [
    "METHODS",
    "BatchProgress",
    "BatchReport",
    "BatchSettings",
    "Method",
    "VideoJob",
    "VideoOutcome",
    "document_outputs",
    "find_videos",
    "is_pose_file",
    "make_job",
    "method_of",
    "rescore_document",
    "rescore_folder",
    "resolve_request",
    "run_batch",
    "run_job",
]
