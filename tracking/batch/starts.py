"""The test starts a batch asks for: one for every animal, starts per video and ROI, detection, or both.

Outside a study, a batch's animals start their tests where the person running it says: one start in video
seconds for every ROI of every video (single-animal videos), a manifest CSV with one row per video and ROI
(columns ``video``, ``roi``, ``start_s``), or detected from each ROI's motion
(:func:`tracking.motion.start.detect_starts`). A study gives the starts its sessions store (entered, or marked
at the bench) and asks detection for the rest. Without any, every test starts with its video. Starts are never
kept in the ROI file, which describes tanks and is reused across videos.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracking.errors import TrackingError
from tracking.rules.starts import AnimalStart, StartSource

#: The columns of a start manifest.
MANIFEST_COLUMNS = ("video", "roi", "start_s")


class ManifestError(TrackingError, ValueError):
    """A start manifest that cannot be used; the message names the file, the row, the field and what fits."""


@dataclass(frozen=True)
class StartRequest:
    """Where each animal's test starts: ``every_s`` for all, ``manifest`` per video and ROI, ``detect``.

    ``manifest`` maps a video's file name to its ROIs' starts by ROI label: seconds of video time (entered),
    or an :class:`AnimalStart` that says its source (entered, or marked at the bench). With ``detect`` too,
    the ROIs the manifest has no start for are detected instead of refused.
    """

    every_s: float | None = None
    manifest: Mapping[str, Mapping[str, float | AnimalStart]] = field(default_factory=dict)
    detect: bool = False

    def __post_init__(self) -> None:
        if self.every_s is not None and (self.manifest or self.detect):
            raise ValueError(
                "give one source of test starts for each animal: one start for all, or starts per video and "
                "ROI (detecting the others' if asked), or detection"
            )
        if self.every_s is not None and not (math.isfinite(self.every_s) and self.every_s >= 0):
            raise ValueError(f"a test start must be seconds >= 0 of video time, got {self.every_s!r}")

    def entered_for(self, video_name: str) -> float | dict[str, AnimalStart] | None:
        """The given starts of one video (by its file name): one for all its ROIs, per ROI, or None."""
        if self.every_s is not None:
            return self.every_s
        if self.manifest:
            return {
                label: start if isinstance(start, AnimalStart) else AnimalStart.entered(start)
                for label, start in self.manifest.get(video_name, {}).items()
            }
        return None

    def latest_for(self, video_name: str) -> float:
        """The latest given start among a video's ROIs (0 when none is given; detected ones are not known)."""
        entered = self.entered_for(video_name)
        if isinstance(entered, dict):
            return max((start.start_s for start in entered.values()), default=0.0)
        return entered or 0.0

    def missing_rois(self, video_name: str, labels: list[str]) -> list[str]:
        """With a manifest and no detection, the ROI labels of a video that have no row in it (else none)."""
        if not self.manifest or self.detect:
            return []
        given = self.manifest.get(video_name, {})
        return [label for label in labels if label not in given]

    def to_dict(self, video_name: str) -> dict[str, Any]:
        """What a job of this video asks for, as its result document's request records it."""
        entered = self.entered_for(video_name)
        if isinstance(entered, dict):
            return {"entered": {k: _recorded(start) for k, start in entered.items()}, "detect": self.detect}
        return {"entered": entered, "detect": self.detect}


def _recorded(start: AnimalStart) -> float | dict[str, Any]:
    """A given start as a request records it: its seconds when entered, else with its source."""
    return start.start_s if start.source is StartSource.ENTERED else start.to_dict()


def _start_value(path: Path, row: int, text: str) -> float:
    """A manifest cell's start in seconds; ManifestError naming the file, row and field otherwise."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ManifestError(
            f"{path}, row {row}, field start_s: {text!r} is not accepted; expected seconds >= 0 of video "
            "time (e.g. 12.5)"
        )
    return value


def read_manifest(path: str | Path) -> dict[str, dict[str, float]]:
    """Read a start manifest CSV (``video``, ``roi``, ``start_s``): video file name -> ROI label -> start.

    A ``video`` cell may be a path; its file name is what the batch's videos are matched by. Row numbers in
    errors count the header as row 1, as a spreadsheet shows them.

    Raises
    ------
    ManifestError
        The file cannot be read, lacks a column, or a row has an empty video or ROI, a start that is not
        seconds >= 0, or repeats a video and ROI.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ManifestError(f"cannot read start manifest {path}: {error}") from error
    missing = [column for column in MANIFEST_COLUMNS if column not in header]
    if missing:
        raise ManifestError(
            f"{path}: no column {', '.join(missing)}; a start manifest has the columns "
            f"{', '.join(MANIFEST_COLUMNS)} and one row per video and ROI"
        )
    manifest: dict[str, dict[str, float]] = {}
    for row, record in enumerate(rows, start=2):
        video, roi = (Path((record["video"] or "").strip()).name, (record["roi"] or "").strip())
        for name, value in (("video", video), ("roi", roi)):
            if not value:
                raise ManifestError(
                    f"{path}, row {row}, field {name}: empty; expected the video's file name and the "
                    "ROI's label as in the ROI file"
                )
        if roi in manifest.get(video, {}):
            raise ManifestError(f"{path}, row {row}: video {video!r}, ROI {roi!r} already has a start")
        manifest.setdefault(video, {})[roi] = _start_value(path, row, (record["start_s"] or "").strip())
    return manifest


__all__ = ["MANIFEST_COLUMNS", "ManifestError", "StartRequest", "read_manifest"]
