"""Behavioral sessions: forced-swim tests with their videos and scores; sucrose-preference periods."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class FstSession(SQLModel, table=True):
    """One animal's forced-swim test: the video (and ROI within it), conditions, and checks that warned.

    A video's ROI has one live session in a study (a voided one may be recorded again: services check it).
    """

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    video_path: str = Field(max_length=1000)
    video_sha256: str = Field(max_length=80)
    roi_label: str = Field(max_length=60)
    roi: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tank: str | None = Field(default=None, max_length=60)
    tested_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    hours_post_dose: float | None = None
    water_temp_c: float | None = None
    water_depth_cm: float | None = None
    start_s: float | None = None
    start_source: str | None = Field(default=None, max_length=20)
    start_basis: str | None = Field(default=None, max_length=300)
    warnings: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(max_length=NAME_CHARS)
    recorded_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class FstBenchMark(SQLModel, table=True):
    """One mark made at the bench while an FST video records: the camera started, or a mouse in or out.

    A mouse mark names the animal and its tank and points at the camera mark of its recording, which turns
    its wall-clock time into video time.
    """

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    kind: str = Field(max_length=20)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    animal_id: int | None = Field(default=None, foreign_key="animal.id", index=True)
    tank: str | None = Field(default=None, max_length=60)
    camera_mark_id: int | None = Field(default=None, foreign_key="fstbenchmark.id")
    recorded_by: str = Field(max_length=NAME_CHARS)
    recorded_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class ImmobilityScore(SQLModel, table=True):
    """One scoring of a session by one method, parameter set and test start; re-scoring adds a row.

    A session has one live score per method, parameters and start (services check it; a voided score, or a
    start entered since, is scored again).
    """

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="fstsession.id", index=True)
    method: str = Field(max_length=20)
    parameters: str = Field(sa_column=Column(Text, nullable=False))
    parameters_sha256: str = Field(max_length=64)
    software_version: str = Field(max_length=40)
    scorer: str = Field(max_length=NAME_CHARS)
    immobility_s: float | None
    latency_s: float | None
    n_bouts: int | None
    window_start_s: float
    window_end_s: float
    test_start_s: float | None = None
    start_source: str | None = Field(default=None, max_length=20)
    start_confidence: float | None = None
    threshold: float | None = None
    threshold_trustworthy: bool | None = None
    per_minute: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    time_sampling: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    warnings: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    scored_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class SptPeriod(SQLModel, table=True):
    """One two-bottle period of the sucrose preference test."""

    __table_args__ = (UniqueConstraint("study_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    label: str = Field(max_length=60)
    phase: str = Field(max_length=20)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sucrose_pct: float
    control_sucrose_loss_ml: float | None = None
    control_water_loss_ml: float | None = None
    created_by: str = Field(max_length=NAME_CHARS)


class SptReading(SQLModel, table=True):
    """One animal's corrected intakes in one period, with the side its sucrose bottle stood on."""

    __table_args__ = (UniqueConstraint("period_id", "animal_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="sptperiod.id", index=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    sucrose_side: str = Field(max_length=1)
    sucrose_ml: float
    water_ml: float
    sheet_row: int


class SptSheetFile(SQLModel, table=True):
    """The bottle sheet exactly as it was given, kept so no typed weight is ever lost."""

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="sptperiod.id", unique=True)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    recorded_by: str = Field(max_length=NAME_CHARS)
    recorded_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
