"""Running a batch: many videos, each an independent job, with resumable outputs and a progress callback.

The per-video work is one function of a :class:`tracking.batch.jobs.VideoJob`, :func:`run_job`, which never
raises for a bad video: it returns a :class:`VideoOutcome` holding either the per-video result document or
the reason it failed. The job's method (:data:`tracking.rules.methods.METHODS`) scores it into a
:class:`tracking.rules.result.VideoScore`, so every method shares the outputs, resuming, runners and
progress reporting. :func:`run_batch` skips finished videos when resuming, runs the rest on a runner
(:mod:`tracking.batch.runners`) and keeps ``results.csv`` and ``bins.csv`` up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracking.batch.cache import save_signal_cache
from tracking.batch.documents import VideoOutputs, load_document, video_document, write_summaries
from tracking.batch.jobs import BatchSettings, VideoJob, longest_first, make_job, request_of
from tracking.batch.preflight import preflight
from tracking.batch.qc import plot_qc, roi_picture_time, roi_start_notes
from tracking.batch.runners import LocalRunner, Runner, dask_worker_address
from tracking.errors import TrackingError
from tracking.pose.tracks import PoseFileError
from tracking.rules.methods import METHODS
from tracking.rules.result import VideoScore
from tracking.video.files import is_video_file
from tracking.video.hashing import content_hash
from tracking.video.overlay import frame_at, write_overlay
from tracking.video.roi_drawing import write_roi_png
from writing.atomic import WriteError, atomic_write, ensure_folder, remove_temporaries
from writing.documents import write_json, write_table

#: Why a video its worker cannot see is refused: a Dask worker reads the paths the client gives it.
SHARED_FILESYSTEM_HINT = "the videos and the output folder must be on a filesystem every worker shares"

#: Seconds between rewrites of ``results.csv`` and ``bins.csv`` while a batch runs.
SUMMARY_INTERVAL_S = 5.0


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
    leaves them as they are. The ROI image (a frame just after the latest test start, each ROI labelled with
    its animal's start) needs the video and its ROIs, the overlay one ROI per scored animal: a pose file
    scored alone, or several individuals without ROIs, have neither (the document's ``files`` says so).
    """
    pictured = bool(score.rois) and is_video_file(score.video)
    drawable = pictured and len(score.rois) == len(score.animals)
    if new_signal:
        save_signal_cache(outputs.cache, score.signal)
        if pictured:
            frame = frame_at(score.video, roi_picture_time(score))
            notes = roi_start_notes(score)
            atomic_write(outputs.rois_png, lambda tmp: write_roi_png(tmp, frame, score.rois, notes))
    atomic_write(outputs.qc_png, lambda tmp: plot_qc(score.animals, tmp, title=score.video.name))
    if per_frame:
        for result in score.animals:
            write_table(outputs.frames_csv(result.animal), result.frames_frame())
    if overlay and drawable:
        write_overlay(score, outputs.overlay)
    document = video_document(score, outputs, software_version=software_version, request=request)
    write_json(outputs.document, document)
    return document


class NoAnimalScoredError(TrackingError):
    """Every animal of a video failed (each named with its reason): the video has no result to write."""


def refuse_if_no_animal_scored(score: VideoScore) -> None:
    """Refuse a video none of whose animals was scored, naming each animal and why it failed."""
    if not score.animals:
        reasons = "; ".join(f"{label}: {reason}" for label, reason in score.failed.items())
        raise NoAnimalScoredError(f"no animal of {score.video.name} could be scored ({reasons})")


class UnseenPathError(TrackingError):
    """The process running a job cannot see its input or the output folder (not on a shared filesystem)."""


def refuse_unseen_paths(job: VideoJob) -> None:
    """Refuse a job whose input or output folder does not exist where it runs, naming the path and worker.

    Only a Dask worker adds that the paths must be shared: in this process the path is simply missing.
    """
    for path in (job.source, job.settings.out_dir):
        if not path.exists():
            address = dask_worker_address()
            if address is None:
                raise UnseenPathError(f"this process: cannot see {path}")
            raise UnseenPathError(f"worker {address}: cannot see {path}: {SHARED_FILESYSTEM_HINT}")


def run_job(job: VideoJob) -> VideoOutcome:
    """Score one video and write its outputs; any failure is returned as the outcome's reason, not raised.

    The job first checks that its input and the output folder exist where it runs (a Dask worker on another
    machine sees only a shared filesystem): :class:`UnseenPathError` names the path and the worker.
    """
    started = time.perf_counter()
    try:
        refuse_unseen_paths(job)
        score = METHODS[job.method].engine().score(job)
        refuse_if_no_animal_scored(score)
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
        reason = failure_reason(error, job.video)
        return VideoOutcome(job.video, error=reason, seconds=time.perf_counter() - started)
    return VideoOutcome(
        job.video,
        document=document,
        seconds=time.perf_counter() - started,
        frames=int(score.video_info["decoded_frames"]),
    )


def failure_reason(error: BaseException, path: Path | None = None) -> str:
    """Why a video failed, in one line: the message, with the error type unless the message explains it.

    The tracking library's own errors and a failed write explain themselves; a pose file error about the
    input itself gives its problem alone (the report names the input already).
    """
    if isinstance(error, PoseFileError) and path is not None and Path(error.path) == path:
        return error.problem
    text = str(error) or type(error).__name__
    return text if isinstance(error, TrackingError | WriteError) else f"{type(error).__name__}: {text}"


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


def _plan(
    paths: Sequence[Path], method: str, settings: BatchSettings, resume: bool
) -> tuple[list[VideoJob], dict[Path, VideoOutcome]]:
    """The jobs to probe, and the outcomes known before probing: bad inputs, name clashes, resumed videos."""
    outcomes: dict[Path, VideoOutcome] = {}
    jobs = []
    for path in paths:
        try:
            jobs.append(make_job(path, method, settings))
        except ValueError as error:
            outcomes[path] = VideoOutcome(path, error=failure_reason(error, path))
    clashes = _name_clashes(jobs)
    for job in jobs:
        if job.video in clashes:
            outcomes[job.video] = VideoOutcome(job.video, error=clashes[job.video])
        elif resume and (document := _finished(job)) is not None:
            outcomes[job.video] = VideoOutcome(job.video, document=document, skipped=True)
    return [job for job in jobs if job.video not in outcomes], outcomes


def _probe(jobs: Sequence[VideoJob], outcomes: dict[Path, VideoOutcome]) -> list[VideoJob]:
    """The jobs pre-flight accepts, longest video first; each refused job's reason goes into ``outcomes``.

    Any error probing one video (:func:`tracking.batch.preflight.preflight`) refuses that video alone.
    """
    lengths: dict[Path, float | None] = {}
    for job in jobs:
        try:
            header = preflight(job)
        except Exception as error:
            outcomes[job.video] = VideoOutcome(job.video, error=failure_reason(error, job.video))
        else:
            lengths[job.video] = None if header is None else header.duration_s
    return longest_first([job for job in jobs if job.video in lengths], lengths)


def _progress(
    total: int, outcomes: Iterable[VideoOutcome], started: float, last: VideoOutcome | None
) -> BatchProgress:
    """The batch's progress after ``last`` (None: before the first video)."""
    done = list(outcomes)
    return BatchProgress(
        videos_total=total,
        videos_done=len(done),
        videos_failed=sum(not o.ok for o in done),
        videos_skipped=sum(o.skipped for o in done),
        frames_decoded=sum(o.frames for o in done),
        elapsed_s=time.perf_counter() - started,
        last=last,
    )


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

    Every video still to score is first checked from its header (:mod:`tracking.batch.preflight`): a video
    too short for the scored window, whose ROIs do not fit it, or showing several tanks without ROIs (unless
    ``settings.whole_frame``) fails alone before anything is decoded. The output folder is checked writable
    before any video is decoded (:class:`writing.atomic.WriteError` if not). With ``resume``, a video whose
    result document records the same file content and the same request is not scored again, and the hidden
    temporary files of a killed run are removed first. A failing video does not stop the others (for a
    method that scores pose files, nor does a video without one).
    The runner's workers start while the videos are probed, and take the videos longest first
    (:func:`tracking.batch.jobs.longest_first`) so that none runs the last long video alone; the report
    lists them in input order. Whatever ends the batch, the workers are stopped.
    ``results.csv`` and ``bins.csv`` (every finished video of this batch, sorted by name) are rewritten every
    :data:`SUMMARY_INTERVAL_S` seconds and at the end; the per-video documents hold everything they are made
    from.
    """
    runner = runner if runner is not None else LocalRunner()
    started = time.perf_counter()
    paths = [Path(v) for v in videos]
    ensure_folder(settings.out_dir)
    if resume:
        remove_temporaries(settings.out_dir)
    to_probe, outcomes = _plan(paths, method, settings, resume)

    def report(last: VideoOutcome | None) -> None:
        if on_progress is not None:
            on_progress(_progress(len(paths), outcomes.values(), started, last))

    with runner.started(run_job, len(to_probe)):
        pending = _probe(to_probe, outcomes)
        report(None)
        last_summary = time.perf_counter()
        for job, result in runner.map_unordered(run_job, pending):
            outcome = (
                result
                if isinstance(result, VideoOutcome)
                else VideoOutcome(job.video, error=f"the worker failed: {failure_reason(result)}")
            )
            outcomes[job.video] = outcome
            if time.perf_counter() - last_summary >= SUMMARY_INTERVAL_S:
                write_finished_summaries(settings.out_dir, outcomes.values())
                last_summary = time.perf_counter()
            report(outcome)
    written = write_finished_summaries(settings.out_dir, outcomes.values())
    ordered = tuple(outcomes[path] for path in dict.fromkeys(paths))
    return BatchReport(ordered, *written, elapsed_s=time.perf_counter() - started)


def write_finished_summaries(
    out_dir: Path, outcomes: Iterable[VideoOutcome]
) -> tuple[Path | None, Path | None]:
    """``results.csv`` and ``bins.csv`` of the finished videos, sorted by video name (none: no files)."""
    documents = sorted((o.document for o in outcomes if o.document is not None), key=lambda d: d["video"])
    if not documents:
        return None, None
    return write_summaries(out_dir, documents)


__all__ = [
    "SHARED_FILESYSTEM_HINT",
    "SUMMARY_INTERVAL_S",
    "BatchProgress",
    "BatchReport",
    "ProgressCallback",
    "UnseenPathError",
    "VideoOutcome",
    "failure_reason",
    "refuse_unseen_paths",
    "run_batch",
    "run_job",
    "write_finished_summaries",
    "write_video_outputs",
]
