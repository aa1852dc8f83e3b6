"""The append-only audit log: each event's hash covers the previous one's, so any edit breaks the chain.

Each event also records the digests of the rows it wrote (`AuditRow`), summed up in `rows_sha256`, which its
hash covers; and who acted twice over: the person declared (`actor`, from --user) and the operating-system
account and host the command ran under. Events recorded before those columns existed have them NULL.
"""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime

OS_USER_MAX_CHARS = 120
HOST_MAX_CHARS = 255


class AuditEvent(SQLModel, table=True):
    """One state change: when, who, what, on which entity, with a JSON payload, chained by SHA-256."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(max_length=NAME_CHARS)
    action: str = Field(max_length=80)
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=NAME_CHARS)
    study_id: int | None = Field(default=None, foreign_key="study.id", index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    os_user: str | None = Field(default=None, max_length=OS_USER_MAX_CHARS)
    host: str | None = Field(default=None, max_length=HOST_MAX_CHARS)
    rows_sha256: str | None = Field(default=None, max_length=64)


class AuditRow(SQLModel, table=True):
    """The digest of one row as an event left it; a NULL digest records that the event deleted the row."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="auditevent.id", index=True)
    table_name: str = Field(max_length=60)
    row_id: str = Field(max_length=NAME_CHARS)
    sha256: str | None = Field(default=None, max_length=64)
