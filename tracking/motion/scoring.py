"""Scoring one video with the motion method: one decode pass for every ROI, then the bout rule per animal.

:func:`score_video` is the Python API the batch runner and the command line are built on; :func:`rescore`
applies new scoring parameters to a saved signal cache without decoding the video again. Both return a
:class:`VideoScore`, whose tables are what the result files hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from tracking.batch.cache import SignalCache
from tracking.motion.signal import DEFAULT_BLUR_SIGMA, DEFAULT_PIXEL_CUTOFF, DEFAULT_SUBSAMPLE, motion_signal
from tracking.rules.presets import PresetError, ScoringParams, get_preset, with_overrides
from tracking.rules.summary import AnimalResult, bins_frame, results_frame, score_signal
from tracking.video.reader import Backend
from tracking.video.rois import ROI, RoiFile, load_rois, roi_from_dict

#: Motion-signal options :func:`score_video` accepts besides the scoring parameters, with their defaults.
SIGNAL_OPTIONS: dict[str, float] = {
    "pixel_cutoff": DEFAULT_PIXEL_CUTOFF,
    "blur_sigma": DEFAULT_BLUR_SIGMA,
    "subsample": DEFAULT_SUBSAMPLE,
}
_SCORING_FIELDS = tuple(f.name for f in dataclasses.fields(ScoringParams) if f.name not in ("name", "method"))

RoisArg = RoiFile | Sequence[ROI] | str | Path | None


def software_version() -> str:
    """The installed behavlab distribution's version (read from its metadata, not by importing the app)."""
    try:
        return version("behavlab")
    except PackageNotFoundError:
        return "0.0.0+unknown"


@dataclass(frozen=True, eq=False)
class VideoScore:
    """Every animal's result for one video, with the signal, ROIs and parameters behind them."""

    video: Path
    method: str
    params: ScoringParams
    animals: tuple[AnimalResult, ...]
    signal: SignalCache
    rois: tuple[ROI, ...]
    video_info: Mapping[str, Any]

    def animal(self, label: str) -> AnimalResult:
        """One animal's result by its ROI label."""
        for result in self.animals:
            if result.animal == label:
                return result
        raise KeyError(f"no animal {label!r}; animals: {', '.join(r.animal for r in self.animals)}")

    @property
    def video_warnings(self) -> tuple[str, ...]:
        """What the decoder reported about the file (variable frame rate, undecodable frames...)."""
        return tuple(self.video_info.get("warnings", ()))

    def results_frame(self) -> pd.DataFrame:
        """One row per animal, the video's file name first (the rows of ``results.csv``).

        The ``warnings`` column holds the video's decode warnings, then the animal's own.
        """
        table = results_frame(self.animals)
        table.insert(0, "video", self.video.name)
        table["warnings"] = [" | ".join((*self.video_warnings, *result.warnings)) for result in self.animals]
        return table

    def bins_frame(self) -> pd.DataFrame:
        """Long-form bins of every animal, the video's file name first (the rows of ``bins.csv``)."""
        table = bins_frame(self.animals)
        table.insert(0, "video", self.video.name)
        return table

    def frames_frame(self, label: str) -> pd.DataFrame:
        """One animal's per-frame table: frame, time_s, signal, immobile (0/1), state."""
        return self.animal(label).frames_frame()


def split_overrides(
    overrides: Mapping[str, Any],
    signal_options: Sequence[str] = tuple(SIGNAL_OPTIONS),
    signal: str = "motion",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split keyword overrides into (signal options, scoring parameters); PresetError names unknown ones.

    ``signal_options`` are the names of the method's signal options (default: the motion signal's).
    """
    unknown = sorted(set(overrides) - set(signal_options) - set(_SCORING_FIELDS))
    if unknown:
        raise PresetError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; accepted: "
            f"{', '.join(signal_options)} ({signal} signal) and {', '.join(_SCORING_FIELDS)} (scoring)"
        )
    options = {k: v for k, v in overrides.items() if k in signal_options}
    scoring = {k: v for k, v in overrides.items() if k not in signal_options}
    return options, scoring


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
    cache: SignalCache, params: ScoringParams, labels: Sequence[str] | None = None
) -> tuple[AnimalResult, ...]:
    """Score each ROI's signal in ``cache`` (or only ``labels``) with ``params``: one result per animal."""
    return tuple(
        score_signal(cache.signal(label), cache.timestamps, fps=cache.fps, params=params, animal=label)
        for label in (labels if labels is not None else cache.roi_labels)
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
    **overrides: Any,
) -> VideoScore:
    """Score immobility in one video: the motion signal of each ROI (whole frame if none), per animal.

    ``preset`` is a preset name (built-in, or a calibrated one in ``presets_dir``) or parameters already
    resolved; ``overrides`` set motion-signal options (:data:`SIGNAL_OPTIONS`) and scoring parameters
    (:class:`tracking.rules.presets.ScoringParams`), e.g. ``threshold=0.02, min_bout_s=0.5``. ``threads`` is
    the
    decoder's thread count (0: as many as FFmpeg likes). Raises ``VideoOpenError`` for a file that cannot be
    read, ``ROIError`` for ROIs outside the frame, ``PresetError`` for an unknown preset or parameter.
    """
    signal_options, scoring = split_overrides(overrides)
    if isinstance(preset, ScoringParams):
        params = with_overrides(preset, **scoring)
    else:
        params = get_preset(preset, "motion", directory=presets_dir, **scoring)
    path = Path(path)
    roi_list = resolve_rois(rois, path)
    signal = motion_signal(
        path, roi_list, **{**SIGNAL_OPTIONS, **signal_options}, backend=backend, threads=threads
    )
    info = signal.video.to_dict()
    cache = SignalCache(
        values=signal.values,
        timestamps=signal.timestamps_s,
        fps=signal.fps,
        roi_labels=signal.roi_names,
        video_hash=signal.video.content_hash,
        signal_params=signal.params,
        software_version=version or software_version(),
    )
    return rescore(
        path,
        cache,
        params,
        rois=tuple(roi_from_dict(entry) for entry in signal.params["rois"]),  # type: ignore[attr-defined]
        video_info={**info, "path": path.name},
    )


def rescore(
    video: str | Path,
    cache: SignalCache,
    params: ScoringParams,
    *,
    rois: Sequence[ROI],
    video_info: Mapping[str, Any],
    method: str = "motion",
) -> VideoScore:
    """Score a video's saved per-frame signals with ``params``, without decoding the video."""
    return VideoScore(
        video=Path(video),
        method=method,
        params=params,
        animals=score_signals(cache, params),
        signal=cache,
        rois=tuple(rois),
        video_info=dict(video_info),
    )
