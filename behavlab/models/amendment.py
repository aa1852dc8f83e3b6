"""Corrections made after unmasking: allowed only as recorded amendments, each flagged in the report."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Amendment(SQLModel, table=True):
    """One change to a study's data after its allocation was revealed: what, why, who and when."""

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    what: str = Field(max_length=500)
    reason: str = Field(max_length=1000)
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=NAME_CHARS)
    at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    by: str = Field(max_length=NAME_CHARS)
