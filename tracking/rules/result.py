"""The result of scoring one video, whichever method made the signal: every animal, with what produced it.

A :class:`VideoScore` holds each animal's :class:`tracking.rules.summary.AnimalResult`, the per-frame signal
cache they were scored from, the ROIs and the decode report; its tables are the rows of the result files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tracking.rules.methods import MethodName
from tracking.rules.presets import ScoringParams
from tracking.rules.summary import AnimalResult, bins_frame, results_frame

if TYPE_CHECKING:
    from tracking.batch.cache import SignalCache
    from tracking.video.rois import ROI


def software_version() -> str:
    """The installed behavlab distribution's version (read from its metadata, not by importing the app)."""
    try:
        return version("behavlab")
    except PackageNotFoundError:
        return "0.0.0+unknown"


@dataclass(frozen=True, eq=False)
class VideoScore:
    """Every animal's result for one video, with the signal, ROIs and parameters behind them.

    ``failed`` names the ROIs that could not be scored (label: reason), such as a tank where no animal's
    entry was detected; the others are scored.
    """

    video: Path
    method: MethodName
    params: ScoringParams
    animals: tuple[AnimalResult, ...]
    signal: SignalCache
    rois: tuple[ROI, ...]
    video_info: Mapping[str, Any]
    failed: Mapping[str, str] = field(default_factory=dict)

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


__all__ = ["VideoScore", "software_version"]
