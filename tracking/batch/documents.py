"""The result files of a scored video: their names in the output folder, and the per-video result document.

The per-video JSON document records the request, every parameter, the software version, the decode report
and the results; it is written last, so its presence marks the video as finished. Readers of results
(:mod:`tracking.evaluation.scorings`, rescoring) work from these documents and the signal caches beside them,
never from the runner. File names come from the input video's name only (its stem), so blind-coded video
names stay the only identifiers in the output folder.

Layout, for a video ``<stem>.<ext>`` scored into ``OUT/``::

    OUT/results.csv                 one row per video and animal (every video of the batch)
    OUT/bins.csv                    per-minute bins and 5-s time samples, long form
    OUT/<stem>.signal.npz           per-frame signal cache (``tracking.batch.cache``), for rescoring
    OUT/<stem>.qc.png               signal, threshold, bouts, test start and window per animal
    OUT/<stem>.rois.png             a frame after the latest test start, ROIs drawn with their starts
    OUT/<stem>.<animal>.frames.csv  per-frame table (only when asked)
    OUT/<stem>.overlay.mp4          annotated video (only when asked)
    OUT/<stem>.json                 every parameter, the software version and the results; written last,
                                    so its presence marks the video as finished
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tracking.batch.cache import load_signal_cache
from tracking.rules.presets import ScoringParams, method_of
from tracking.rules.result import VideoScore
from tracking.rules.starts import AnimalStart
from tracking.video.files import OVERLAY_SUFFIX
from tracking.video.rois import roi_from_dict
from writing.documents import jsonable, write_table

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
        """A frame just after the latest test start with the ROIs drawn, each labelled with its start."""
        return self.out_dir / f"{self.stem}.rois.png"

    @property
    def overlay(self) -> Path:
        """The annotated video."""
        return self.out_dir / f"{self.stem}{OVERLAY_SUFFIX}"

    def frames_csv(self, animal: str) -> Path:
        """The per-frame table of one animal."""
        return self.out_dir / f"{self.stem}.{animal}.frames.csv"


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
    document: dict[str, Any] = jsonable(
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
            "starts": {r.animal: r.start.to_dict() for r in score.animals},
            "failed_animals": dict(score.failed),
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
    return document


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


def load_documents(out_dir: str | Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every per-video document of an output folder, by file name, with its path; other JSON files skipped."""
    found = []
    for path in sorted(Path(out_dir).glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            found.append((path, load_document(path)))
        except ValueError:
            continue
    return found


def document_outputs(out_dir: str | Path, document: Mapping[str, Any]) -> VideoOutputs:
    """The result files of a per-video document in its output folder."""
    return VideoOutputs(Path(out_dir), document.get("stem") or Path(document["video"]).stem)


def rescore_document(
    out_dir: str | Path, document: Mapping[str, Any], params: ScoringParams | None = None
) -> VideoScore:
    """A finished video's scores recomputed from its signal cache (default: with the parameters it had).

    Each animal keeps the test start the document records; an animal that failed stays failed.

    Raises PresetError for a method this release does not know, CacheError when the cache is missing or
    was not made from this video with these signal parameters.
    """
    method = method_of(document["method"])
    cache = load_signal_cache(
        document_outputs(out_dir, document).cache,
        video_hash=document["video_info"]["content_hash"],
        signal_params=document["signal"]["params"],
    )
    return method.engine().rescore(
        Path(document["video"]),
        cache,
        params if params is not None else ScoringParams(**document["scoring"]),
        rois=[roi_from_dict(entry) for entry in document["rois"]],
        video_info=document["video_info"],
        method=method.name,
        starts={label: AnimalStart.from_dict(start) for label, start in document.get("starts", {}).items()},
        failed=document.get("failed_animals", {}),
    )


def write_summaries(out_dir: str | Path, documents: Sequence[Mapping[str, Any]]) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``bins.csv`` for the given per-video documents, in their order."""
    out_dir = Path(out_dir)
    results = pd.DataFrame([row for doc in documents for row in doc["results"]])
    bins = pd.DataFrame([row for doc in documents for row in doc["bins"]])
    return write_table(out_dir / RESULTS_CSV, results), write_table(out_dir / BINS_CSV, bins)


__all__ = [
    "BINS_CSV",
    "DOCUMENT_FORMAT",
    "DOCUMENT_VERSION",
    "RESULTS_CSV",
    "VideoOutputs",
    "document_outputs",
    "load_document",
    "load_documents",
    "rescore_document",
    "video_document",
    "write_summaries",
]
