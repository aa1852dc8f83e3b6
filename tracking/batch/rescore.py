"""Rescoring an output folder: new scoring parameters applied to its signal caches, without decoding.

Each finished video's result document says how it was scored; :func:`rescore_folder` recomputes its scores
from the signal cache beside it (:func:`tracking.batch.documents.rescore_document`) and rewrites its QC
plot, per-frame tables (where they were written), document and the folder's summaries.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tracking.batch.documents import document_outputs, load_documents, rescore_document
from tracking.batch.run import (
    BatchReport,
    VideoOutcome,
    failure_reason,
    write_finished_summaries,
    write_video_outputs,
)
from tracking.rules.methods import METHODS
from tracking.rules.presets import PresetError, ScoringParams, get_preset, split_overrides, with_overrides
from writing.documents import jsonable


def _scoring_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The scoring parameters among ``overrides``; PresetError for a signal option (the cache fixes those)."""
    names = tuple(dict.fromkeys(n for m in METHODS.values() for n in m.engine().signal_option_names))
    signal_options, scoring = split_overrides(overrides, names, " or ".join(METHODS))
    if signal_options:
        raise PresetError(
            f"{', '.join(signal_options)} change(s) the signal itself; rescoring reuses the cached "
            "signal, so score the videos again to change them"
        )
    return scoring


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
    with ``preset`` that preset replaces them. No video is decoded: signal options (pixel cutoff, blur, the
    pose signal's) cannot change here. The QC plots, per-frame tables (where they were written), documents
    and the summaries are rewritten; the ROI image and any overlay stay as they were.
    """
    out_dir = Path(out_dir)
    started = time.perf_counter()
    scoring = _scoring_overrides(overrides)
    documents = [document for _, document in load_documents(out_dir)]
    if not documents:
        raise ValueError(f"no scored videos in {out_dir} (no per-video result files <video>.json)")
    outcomes = []
    for document in documents:
        try:
            params = _new_params(document, preset, presets_dir, scoring)
            outcomes.append(_rescore_one(out_dir, document, params, software_version, started))
        except (ValueError, KeyError, OSError) as error:
            outcomes.append(VideoOutcome(out_dir / document["video"], error=failure_reason(error)))
    written = write_finished_summaries(out_dir, outcomes)
    return BatchReport(tuple(outcomes), *written, elapsed_s=time.perf_counter() - started)


def _new_params(
    document: Mapping[str, Any],
    preset: str | None,
    presets_dir: str | Path | None,
    scoring: Mapping[str, Any],
) -> ScoringParams:
    """A video's new parameters: its own changed by ``scoring``, or ``preset`` (for its method) with them."""
    if preset is None:
        return with_overrides(ScoringParams(**document["scoring"]), **scoring)
    return get_preset(preset, document["method"], directory=presets_dir, **scoring)


def _rescore_one(
    out_dir: Path,
    document: Mapping[str, Any],
    params: ScoringParams,
    software_version: str,
    started: float,
) -> VideoOutcome:
    """Rescore one video's cached signal with ``params`` and rewrite its outputs."""
    score = rescore_document(out_dir, document, params)
    request = {**document["request"], "scoring": jsonable(params.to_dict())}
    new_document = write_video_outputs(
        score,
        document_outputs(out_dir, document),
        software_version=software_version,
        request=request,
        new_signal=False,
        per_frame=bool(document["files"]["frames_csv"]),
        overlay=False,
    )
    return VideoOutcome(Path(document["video"]), document=new_document, seconds=time.perf_counter() - started)


__all__ = ["rescore_folder"]
