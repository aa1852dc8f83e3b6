"""The files behind a session's NWB file: its scoring's bouts and signal, and its pose tracks.

A scoring's bouts, scored window and per-frame signal are those recomputed from the files the scoring wrote
(:mod:`behavlab.services.machine_scorings`), so they are exactly the stored scoring's. Pose tracks are the
DeepLabCut file kept next to the session's video (paired by name), the animal being the individual the pose
scoring took for it, else the one in its ROI, else the file's only one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from behavlab.errors import InvalidInputError
from behavlab.services.library_errors import tracking_errors
from behavlab.services.machine_scorings import RescoredAnimal
from writing.nwb.records import NwbPose, NwbScoring

if TYPE_CHECKING:
    from tracking.pose.tracks import PoseTracks

#: The unit and meaning of each method's per-frame signal (the pose method's unit is its document's).
SIGNAL_MEANINGS = {
    "motion": (
        "fraction of ROI pixels",
        "Fraction of the ROI's pixels whose blurred grey level changed since the previous frame "
        "(Hampel-filtered); NaN where unknown.",
    ),
    "pose": ("cm/s", "Speed of the tracked body parts; NaN where the tracking is not trusted."),
}


@dataclass(frozen=True)
class StoredScore:
    """A session's latest live machine scoring as the database holds it, with the results to export."""

    code: str
    method: str
    parameters_json: str
    parameters_sha256: str
    software_version: str
    scored_at: datetime
    summary: Mapping[str, float | str | None]


@dataclass(frozen=True)
class ScoringFiles:
    """A scoring recomputed from its files: the NWB record and the pose individual it scored, if any."""

    scoring: NwbScoring
    individual: str | None


def nwb_scoring(rescored: RescoredAnimal, stored: StoredScore) -> ScoringFiles:
    """The stored scoring's bouts, scored window and signal from its recomputed files, as the NWB record."""
    unit, meaning = SIGNAL_MEANINGS[stored.method]
    document, result = rescored.document, rescored.result
    pose_info = document["video_info"].get("pose", {}).get(stored.code, {})
    frames = result.frames
    scoring = NwbScoring(
        method=stored.method,
        parameters_json=stored.parameters_json,
        parameters_sha256=stored.parameters_sha256,
        software_version=stored.software_version,
        scored_at=stored.scored_at,
        bout_start_s=frames.bouts.start_s,
        bout_stop_s=frames.bouts.end_s,
        window_s=(result.window_start_s, result.window_end_s),
        timestamps=frames.time_s,
        signal=result.raw_signal,
        signal_unit=str(pose_info.get("units") or unit),
        signal_description=meaning,
        summary=stored.summary,
    )
    individuals = document["signal"]["params"].get("individuals", {})
    return ScoringFiles(scoring, individuals.get(stored.code))


def pose_beside(
    video: Path, code: str, roi: Mapping[str, Any] | None, individual: str | None, rate: float
) -> NwbPose | None:
    """The animal's tracks from the DeepLabCut file next to ``video``; None when there is no such file.

    ``individual`` is the one a pose scoring took for the animal; without it the individual in its ROI
    (``roi``, as stored), else the file's only individual. InvalidInputError when the file cannot be told
    (two scorers' files), read, or the animal found in it.
    """
    from tracking.pose.files import find_pose_file, has_pose_file
    from tracking.pose.io import read_dlc

    if not has_pose_file(video):
        return None
    with tracking_errors(f"cannot export the pose tracks of {code}"):
        tracks = read_dlc(find_pose_file(video), fps=rate)
        individual = individual or _occupant(tracks, code, roi)
    if individual not in tracks.individuals:
        raise InvalidInputError(
            f"cannot export the pose tracks of {code}: cannot tell which of the pose file's individuals "
            f"({', '.join(tracks.individuals)}) it is"
        )
    k = tracks.individuals.index(individual)
    return NwbPose(
        bodyparts=tracks.bodyparts,
        x=tracks.x[:, k, :],
        y=tracks.y[:, k, :],
        likelihood=tracks.likelihood[:, k, :],
        rate=float(tracks.fps or rate),
        scorer=tracks.scorer,
    )


def _occupant(tracks: PoseTracks, code: str, roi: Mapping[str, Any] | None) -> str | None:
    """The individual in the session's ROI, else the file's only animal; None when it cannot be told."""
    from dataclasses import replace

    from tracking.pose.batch import assign_individuals
    from tracking.pose.io import DLC_UNIQUE_BODYPARTS
    from tracking.video.rois import roi_from_dict

    if roi is not None:
        return assign_individuals(tracks, [replace(roi_from_dict(roi), label=code)])[code]
    animals = [i for i in tracks.individuals if i != DLC_UNIQUE_BODYPARTS] or list(tracks.individuals)
    return animals[0] if len(animals) == 1 else None


def stored_roi(text: str | None) -> dict[str, Any] | None:
    """A session's ROI as stored (JSON), or None for the whole frame."""
    return None if text is None else dict(json.loads(text))


__all__ = [
    "SIGNAL_MEANINGS",
    "ScoringFiles",
    "StoredScore",
    "nwb_scoring",
    "pose_beside",
    "stored_roi",
]
