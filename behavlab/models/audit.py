"""The append-only audit log: each event's hash covers the previous one's, so any edit breaks the chain."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from behavlab.models.base import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One state change: when, who, what, on which entity, with a JSON payload, chained by SHA-256."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(max_length=120)
    action: str = Field(max_length=80)
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=120)
    study_id: int | None = Field(default=None, foreign_key="study.id", index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
