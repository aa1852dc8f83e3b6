"""What one NWB file holds, as plain values: no database and no NWB library (cheap to import).

Times are seconds from the session's start, the first frame of the video (the test itself starts
``test_start_s`` later), except the doses', which are wall-clock times. A blind record carries no arm:
``treatment`` and each dose's ``substance`` and ``dose_mg_per_kg`` are None, and the writer refuses a blind
record that has them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np


@dataclass(frozen=True)
class NwbSubject:
    """The animal: its blind code as the subject ID, species (Latin binomial), strain, sex, birth, weight.

    ``weight_g`` is its weight on the session's day (the latest weighing up to the test), None when none;
    ``treatment`` its arm in words, only once the study is unmasked.
    """

    subject_id: str
    species: str
    strain: str
    sex: str
    date_of_birth: date
    weight_g: float | None
    treatment: str | None = None


@dataclass(frozen=True)
class NwbDose:
    """One injection: when, the volume given (mL and mL/kg) and the planned mL/kg, by which route.

    ``substance`` and ``dose_mg_per_kg`` tell the arm: they are given only once the study is unmasked.
    """

    given_at: datetime
    volume_ml: float
    given_ml_per_kg: float
    planned_ml_per_kg: float
    route: str
    substance: str | None = None
    dose_mg_per_kg: float | None = None


@dataclass(frozen=True)
class NwbVideo:
    """The session's video, referred to and not copied: its path relative to the NWB file and its SHA-256."""

    relative_path: str
    sha256: str
    rate: float
    n_frames: int


@dataclass(frozen=True, eq=False)
class NwbScoring:
    """One immobility scoring: its method, parameters and software, bouts and the per-frame signal.

    ``bout_start_s`` and ``bout_stop_s`` bound each immobility bout (seconds from the session start), every
    bout found, including those outside the scored window ``window_s`` (start, end; seconds from the session
    start), whose immobility is the bouts' parts inside it;
    ``signal`` is the per-frame signal the rule scored, at ``timestamps``, in ``signal_unit``.
    ``summary`` holds the stored results (immobility, latency, window, test start), by name.
    """

    method: str
    parameters_json: str
    parameters_sha256: str
    software_version: str
    scored_at: datetime
    bout_start_s: np.ndarray
    bout_stop_s: np.ndarray
    window_s: tuple[float, float]
    timestamps: np.ndarray
    signal: np.ndarray
    signal_unit: str
    signal_description: str
    summary: Mapping[str, float | str | None] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class NwbPose:
    """Pose tracks of the animal, one column per body part: ``x``, ``y`` and ``likelihood`` (frames, parts).

    Pixels of the video frame, at ``rate`` frames per second from the session start.
    """

    bodyparts: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    likelihood: np.ndarray
    rate: float
    scorer: str
    source_software: str = "DeepLabCut"


@dataclass(frozen=True)
class NwbSession:
    """Everything one NWB file holds: one animal's forced-swim session.

    ``blind`` marks a file written before unmasking; it must hold no treatment, substance or mg/kg.
    ``start_time`` is the wall-clock time of the video's first frame, the origin of every time in the file;
    the test starts ``test_start_s`` later. ``software`` names the program and version that wrote it;
    ``notes`` the test's conditions, by name.
    """

    identifier: str
    session_id: str
    description: str
    start_time: datetime
    test_start_s: float
    subject: NwbSubject
    video: NwbVideo
    blind: bool
    software: str
    experimenter: str | None = None
    doses: Sequence[NwbDose] = ()
    scoring: NwbScoring | None = None
    pose: NwbPose | None = None
    notes: Mapping[str, float | str] = field(default_factory=dict)

    @property
    def tested_at(self) -> datetime:
        """The wall-clock time the test started: ``test_start_s`` after the video's first frame."""
        return self.start_time + timedelta(seconds=self.test_start_s)
