"""Animals on a study's roster, their dated weight history and their cage history."""

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Animal(SQLModel, table=True):
    """A mouse on a study's roster, identified by the lab's own ID.

    `factor_level` is its level of the study's non-randomized factor (`Study.factor_name`); `cohort_id` the
    batch it is run in, if the study runs in cohorts.
    """

    __table_args__ = (UniqueConstraint("study_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    label: str = Field(max_length=60)
    ear_tag: str | None = Field(default=None, max_length=60)
    sex: str = Field(max_length=1)
    strain: str = Field(max_length=NAME_CHARS)
    date_of_birth: date
    source: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, sa_type=Text)
    factor_level: str | None = Field(default=None, max_length=60)
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class Weight(SQLModel, table=True):
    """One weighing of one animal; the history is every row, never an overwritten value."""

    id: int | None = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    weight_g: float
    measured_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by: str = Field(max_length=NAME_CHARS)


class CageAssignment(SQLModel, table=True):
    """An animal housed in a cage from a given time; a move is a new row."""

    id: int | None = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    cage: str = Field(max_length=60)
    since: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
