"""Result files of a scored video: their names in the output folder and the result document.

Every file is written atomically (:mod:`writing.atomic`), so a reader (or a batch resumed after a crash) sees
either the whole previous file or the whole new one, never half of one. File names come from the input
video's name only (its stem), so blind-coded video
names stay the only identifiers in the output folder.

Layout, for a video ``<stem>.<ext>`` scored into ``OUT/``::

    OUT/results.csv                 one row per video and animal (every video of the batch)
    OUT/bins.csv                    per-minute bins and 5-s time samples, long form
    OUT/<stem>.signal.npz           per-frame signal cache (``tracking.batch.cache``), for rescoring
    OUT/<stem>.qc.png               signal, threshold and bouts per animal
    OUT/<stem>.rois.png             first frame with the ROIs drawn
    OUT/<stem>.<animal>.frames.csv  per-frame table (only when asked)
    OUT/<stem>.overlay.mp4          annotated video (only when asked)
    OUT/<stem>.json                 every parameter, the software version and the results; written last,
                                    so its presence marks the video as finished
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tracking.video.files import OVERLAY_SUFFIX
from writing.documents import write_table

RESULTS_CSV = "results.csv"
BINS_CSV = "bins.csv"
DOCUMENT_FORMAT = "behavlab-video-score"
DOCUMENT_VERSION = 1


@dataclass(frozen=True)
class VideoOutputs:
    """The names of one video's result files in an output folder."""

    out_dir: Path
    stem: str

    @classmethod
    def for_video(cls, out_dir: str | Path, video: str | Path) -> VideoOutputs:
        """The output names of ``video`` (named after its file name without the suffix) in ``out_dir``."""
        return cls(Path(out_dir), Path(video).stem)

    @property
    def document(self) -> Path:
        """The per-video JSON: parameters, software version, results; its presence marks completion."""
        return self.out_dir / f"{self.stem}.json"

    @property
    def cache(self) -> Path:
        """The per-frame signal cache."""
        return self.out_dir / f"{self.stem}.signal.npz"

    @property
    def qc_png(self) -> Path:
        """The QC plot."""
        return self.out_dir / f"{self.stem}.qc.png"

    @property
    def rois_png(self) -> Path:
        """The first frame with the ROIs drawn."""
        return self.out_dir / f"{self.stem}.rois.png"

    @property
    def overlay(self) -> Path:
        """The annotated video."""
        return self.out_dir / f"{self.stem}{OVERLAY_SUFFIX}"

    def frames_csv(self, animal: str) -> Path:
        """The per-frame table of one animal."""
        return self.out_dir / f"{self.stem}.{animal}.frames.csv"


def load_document(path: str | Path) -> dict[str, Any]:
    """Read a per-video JSON document; ValueError naming the file when it is not one."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read result file {path}: {error}") from error
    if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
        raise ValueError(f"{path} is not a behavlab video result file (format {DOCUMENT_FORMAT!r})")
    if document.get("version") != DOCUMENT_VERSION:
        raise ValueError(
            f"{path} has result-file version {document.get('version')!r}; "
            f"this release reads {DOCUMENT_VERSION}"
        )
    return document


def write_summaries(out_dir: str | Path, documents: list[Mapping[str, Any]]) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``bins.csv`` for the given per-video documents, in their order."""
    out_dir = Path(out_dir)
    results = pd.DataFrame([row for doc in documents for row in doc["results"]])
    bins = pd.DataFrame([row for doc in documents for row in doc["bins"]])
    return write_table(out_dir / RESULTS_CSV, results), write_table(out_dir / BINS_CSV, bins)
