"""What the study declared before its data could be seen: its primary outcome and how it is scored."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Protocol(SQLModel, table=True):
    """One version of a study's declared protocol; a change is a new version with its reason.

    `plan` is the whole plan as canonical JSON (outcomes, comparisons, test, alpha, smallest effect, sample
    size and its inputs, criteria, outlier rules, test time); `plan_sha256` its hash, committed in the audit
    log and printed on the dosing sheet. Versions declared before plans existed hold the primary outcome only.
    """

    __table_args__ = (UniqueConstraint("study_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    version: int
    primary_outcome: str = Field(max_length=60)
    primary_method: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=1000)
    plan: str | None = Field(default=None, sa_type=Text)
    plan_sha256: str | None = Field(default=None, max_length=64)
    declared_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    declared_by: str = Field(max_length=NAME_CHARS)
