"""Injections as given: which weight was used, what volume, when and by whom."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class DoseEvent(SQLModel, table=True):
    """One injection of one animal; a repeat carries its reason.

    `volume_ml_per_kg` is the study's planned volume per kg; `given_ml_per_kg` the volume given per kg of the
    weight used, and `deviation_pct` its difference from the planned volume. Never mg/kg: that would tell the
    arm (the vehicle's stock holds none of the compound).
    """

    id: int | None = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animal.id", index=True)
    weight_id: int = Field(foreign_key="weight.id")
    weight_g: float
    volume_ml: float
    volume_ml_per_kg: float
    given_ml_per_kg: float
    deviation_pct: float
    dosed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    operator: str = Field(max_length=NAME_CHARS)
    repeat_reason: str | None = Field(default=None, max_length=500)
    recorded_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
