"""Exclusions and unmasking events: records of decisions, never deletions."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Exclusion(SQLModel, table=True):
    """An animal left out of the analysis, with the reason and whether it was decided blind."""

    id: int | None = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    reason: str = Field(max_length=500)
    criterion_set_a_priori: bool
    decided_blind: bool
    decided_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    decided_by: str = Field(max_length=NAME_CHARS)


class UnmaskEvent(SQLModel, table=True):
    """The allocation revealed: the whole study at its end, or one animal in a welfare emergency."""

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    kind: str = Field(max_length=20)
    animal_id: int | None = Field(default=None, foreign_key="animal.id")
    reason: str = Field(max_length=1000)
    revealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    by: str = Field(max_length=NAME_CHARS)


class RevealedAllocation(SQLModel, table=True):
    """An animal's arm as revealed by the full unmasking; no row exists before it."""

    id: int | None = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animal.id", unique=True)
    arm_id: int = Field(foreign_key="arm.id", index=True)
    unmask_event_id: int = Field(foreign_key="unmaskevent.id")
