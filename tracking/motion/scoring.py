"""Scoring one video with the motion method: one decode pass for every ROI, then the bout rule per animal.

:func:`score_video` is the Python API the batch runner and the command line are built on; :func:`rescore`
applies new scoring parameters to a saved signal cache without decoding the video again. Both return a
:class:`tracking.rules.result.VideoScore`, whose tables are what the result files hold. :data:`ENGINE` is
the motion method's entry in :data:`tracking.rules.methods.METHODS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracking.batch.cache import SignalCache
from tracking.motion.signal import (
    DEFAULT_BLUR_SIGMA,
    DEFAULT_PIXEL_CUTOFF,
    DEFAULT_SUBSAMPLE,
    MotionSignal,
    motion_signal,
)
from tracking.motion.start import detect_starts
from tracking.rules.methods import MethodEngine, MethodName
from tracking.rules.presets import ScoringParams, get_preset, preset_signal, split_overrides, with_overrides
from tracking.rules.result import VideoScore, software_version
from tracking.rules.starts import VIDEO_START, AnimalStart, DetectedStart, starts_from_detections
from tracking.rules.summary import AnimalResult, score_signal
from tracking.video.reader import Backend
from tracking.video.rois import ROI, RoiFile, load_rois, roi_from_dict

if TYPE_CHECKING:
    from tracking.batch.jobs import VideoJob

#: Motion-signal options :func:`score_video` accepts besides the scoring parameters, with their defaults.
SIGNAL_OPTIONS: dict[str, float] = {
    "pixel_cutoff": DEFAULT_PIXEL_CUTOFF,
    "blur_sigma": DEFAULT_BLUR_SIGMA,
    "subsample": DEFAULT_SUBSAMPLE,
}

RoisArg = RoiFile | Sequence[ROI] | str | Path | None
#: Given test starts: s of video time for every ROI, or per ROI label (s entered, or a start with its source).
StartsArg = float | Mapping[str, float | AnimalStart] | None


def split_motion_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split overrides into (motion-signal options, scoring parameters); PresetError names unknown ones."""
    return split_overrides(overrides, tuple(SIGNAL_OPTIONS), "motion")


def motion_signal_options(
    preset: str, options: Mapping[str, Any], presets_dir: str | Path | None = None
) -> dict[str, Any]:
    """Motion-signal options: those a calibrated preset was fitted with, then the ones given."""
    return {**preset_signal(preset, presets_dir), **options}


def resolve_rois(rois: RoisArg, video: str | Path) -> tuple[ROI, ...] | None:
    """The ROIs of one video from a list, an ROI file (path or loaded) or None (the whole frame)."""
    if rois is None:
        return None
    if isinstance(rois, str | Path):
        rois = load_rois(rois)
    if isinstance(rois, RoiFile):
        return rois.for_video(video)
    return tuple(rois)


def score_signals(
    cache: SignalCache,
    params: ScoringParams,
    labels: Sequence[str] | None = None,
    starts: Mapping[str, AnimalStart] | None = None,
) -> tuple[AnimalResult, ...]:
    """Score each ROI's signal in ``cache`` (or only ``labels``) with ``params``: one result per animal.

    ``starts`` gives each animal's test start by ROI label (missing: the video's first frame).
    """
    starts = starts or {}
    return tuple(
        score_signal(
            cache.signal(label),
            cache.timestamps,
            fps=cache.fps,
            params=params,
            animal=label,
            start=starts.get(label, VIDEO_START),
        )
        for label in (labels if labels is not None else cache.roi_labels)
    )


def entered_starts(start_s: StartsArg, labels: Sequence[str]) -> dict[str, AnimalStart]:
    """Entered test starts by ROI label: one for all, or one per label (ValueError for an unknown label)."""
    if start_s is None:
        return {}
    if not isinstance(start_s, Mapping):
        return {label: AnimalStart.entered(start_s) for label in labels}
    unknown = sorted(set(start_s) - set(labels))
    if unknown:
        raise ValueError(
            f"test start(s) given for ROI(s) {', '.join(map(repr, unknown))}, which the video does not have "
            f"(ROIs: {', '.join(labels)})"
        )
    return {
        label: value if isinstance(value, AnimalStart) else AnimalStart.entered(value)
        for label, value in start_s.items()
    }


def detected_starts(signal: MotionSignal) -> tuple[dict[str, AnimalStart], dict[str, str]]:
    """Each ROI's detected test start, and the ROIs where no animal entered, with the reason.

    An animal present from the first frame starts at 0 (:func:`tracking.motion.start.detect_start`).
    """
    return starts_from_detections(detect_starts(signal), _no_entry)


def _no_entry(label: str, found: DetectedStart) -> str:
    """Why ROI ``label`` has no detected start, and what to do."""
    return (
        f"no entry into the water detected in ROI {label!r} (its motion never rose above "
        f"{found.evidence['threshold']:.4f} of its pixels); enter its test start (--start-s or a manifest)"
    )


def score_video(
    path: str | Path,
    rois: RoisArg = None,
    preset: str | ScoringParams = "fst",
    *,
    presets_dir: str | Path | None = None,
    backend: Backend = "auto",
    threads: int = 0,
    version: str | None = None,
    start_s: StartsArg = None,
    detect_start: bool = False,
    **overrides: Any,
) -> VideoScore:
    """Score immobility in one video: the motion signal of each ROI (whole frame if none), per animal.

    Parameters
    ----------
    path
        The video file.
    rois
        One ROI per animal, an ROI file (loaded, or its path) or None for the whole frame.
    preset
        A preset name (built-in, or calibrated in ``presets_dir``) or resolved scoring parameters.
    presets_dir, backend, threads, version
        The calibrated presets' folder; the decoder (``"auto"``, ``"pyav"``, ``"opencv"``) and its thread
        count (0: FFmpeg's choice); the software version recorded (None: the installed behavlab's).
    start_s
        Each animal's test start in seconds of video time: one for every ROI, or per ROI label (seconds
        entered, or an :class:`AnimalStart` with its source; others start with the video). None: every test
        starts with the video's first frame.
    detect_start
        Detect each animal's entry into the water from its ROI's motion
        (:func:`tracking.motion.start.detect_starts`) where ``start_s`` gives no start per ROI; an ROI
        with no entry is not scored and is named in :attr:`VideoScore.failed`.
    **overrides
        Motion-signal options (:data:`SIGNAL_OPTIONS`: ``pixel_cutoff`` in grey levels, ``blur_sigma`` in
        pixels) and scoring parameters (:class:`~tracking.rules.presets.ScoringParams`, times in seconds);
        the signal is the fraction of each ROI's pixels changed from one frame to the next.

    Returns
    -------
    VideoScore
        Per animal: its test start, seconds immobile in the scored window (counted from the test start),
        latency (s from test start), bouts, bins.

    Raises
    ------
    VideoOpenError, ROIError, PresetError
        A file that is not a readable video; an ROI outside the frame; an unknown preset or parameter.
    ValueError
        One ``start_s`` for every ROI and ``detect_start``; a start for an ROI the video does not have, or
        below 0.

    Examples
    --------
    >>> from tracking import score_video
    >>> from tracking.synth.videos import write_fst_video
    >>> truth = write_fst_video("m1.mp4", duration_s=30.0, fps=15.0, latency_s=(4.0, 8.0))
    >>> score = score_video(truth.video, [truth.tanks[0].roi], window_start_s=10.0, window_end_s=30.0)
    >>> score.results_frame()[["animal", "immobility_s", "n_bouts"]]
      animal  immobility_s  n_bouts
    0  tank1      8.333333        2
    """
    if detect_start and start_s is not None and not isinstance(start_s, Mapping):
        raise ValueError("give one test start for every ROI or ask to detect them, not both")
    signal_options, scoring = split_motion_overrides(overrides)
    base = (
        preset if isinstance(preset, ScoringParams) else get_preset(preset, "motion", directory=presets_dir)
    )
    params = with_overrides(base, **scoring)
    path = Path(path)
    signal, cache, used, info = _decode(
        path, resolve_rois(rois, path), signal_options, backend, threads, version
    )
    starts, failed = entered_starts(start_s, cache.roi_labels), {}
    if detect_start:
        detected, no_entry = detected_starts(signal)
        starts = {**detected, **starts}
        failed = {label: reason for label, reason in no_entry.items() if label not in starts}
    return rescore(path, cache, params, rois=used, video_info=info, starts=starts, failed=failed)


def _decode(
    path: Path,
    rois: Sequence[ROI] | None,
    signal_options: Mapping[str, Any],
    backend: Backend,
    threads: int,
    version: str | None,
) -> tuple[MotionSignal, SignalCache, tuple[ROI, ...], dict[str, Any]]:
    """Decode the video once: the motion signal, every ROI's as a cache, the ROIs used, the decode report."""
    options = {**SIGNAL_OPTIONS, **signal_options}
    signal = motion_signal(path, rois, **options, backend=backend, threads=threads)
    cache = SignalCache(
        values=signal.values,
        timestamps=signal.timestamps_s,
        fps=signal.fps,
        roi_labels=signal.roi_names,
        video_hash=signal.video.content_hash,
        signal_params=signal.params,
        software_version=version or software_version(),
    )
    used = tuple(roi_from_dict(entry) for entry in signal.params["rois"])  # type: ignore[attr-defined]
    return signal, cache, used, {**signal.video.to_dict(), "path": path.name}


def rescore(
    video: str | Path,
    cache: SignalCache,
    params: ScoringParams,
    *,
    rois: Sequence[ROI],
    video_info: Mapping[str, Any],
    method: MethodName = "motion",
    starts: Mapping[str, AnimalStart] | None = None,
    failed: Mapping[str, str] | None = None,
) -> VideoScore:
    """Score a video's saved per-frame signals with ``params``, without decoding the video.

    ``starts`` are the animals' test starts by ROI label (missing: the first frame); the ROIs in ``failed``
    (label: reason) are not scored.
    """
    failed = dict(failed or {})
    labels = [label for label in cache.roi_labels if label not in failed]
    return VideoScore(
        video=Path(video),
        method=method,
        params=params,
        animals=score_signals(cache, params, labels, starts),
        signal=cache,
        rois=tuple(rois),
        video_info=dict(video_info),
        failed=failed,
    )


def score_job(job: VideoJob) -> VideoScore:
    """The motion method as a batch job: the job's video with its ROIs, settings and software version."""
    settings = job.settings
    return score_video(
        job.video,
        settings.rois,
        settings.params,
        threads=settings.decode_threads,
        version=settings.software_version,
        start_s=settings.starts.entered_for(job.roi_name),
        detect_start=settings.starts.detect,
        **settings.signal_options,
    )


#: The motion method's implementation, as :data:`tracking.rules.methods.METHODS` finds it.
ENGINE = MethodEngine(
    score=score_job,
    rescore=rescore,
    split_overrides=split_motion_overrides,
    signal_options=motion_signal_options,
    signal_option_names=tuple(SIGNAL_OPTIONS),
)
