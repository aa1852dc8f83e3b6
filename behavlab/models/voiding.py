"""Corrections as records: a wrong entry is voided with a reason, kept, and left out of every computation."""

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Voiding(SQLModel, table=True):
    """One voided record (a weight, dose, session, score or bottle sheet), who voided it, when and why."""

    __table_args__ = (UniqueConstraint("entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    entity: str = Field(max_length=30)
    entity_id: int
    reason: str = Field(max_length=1000)
    voided_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    voided_by: str = Field(max_length=NAME_CHARS)
