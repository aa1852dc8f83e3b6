"""Injections as given: which weight was used, what volume, when and by whom."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS, UTCDateTime, utc_now


class DoseEvent(SQLModel, table=True):
    """One injection of one animal; a repeat on the same day carries its reason."""

    id: int | None = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    weight_id: int = Field(foreign_key="weight.id")
    weight_g: float
    volume_ml: float
    volume_ml_per_kg: float
    dosed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    operator: str = Field(max_length=NAME_CHARS)
    repeat_reason: str | None = Field(default=None, max_length=500)
    recorded_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
