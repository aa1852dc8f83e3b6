"""A study and its arms: what is given, at which dose and volume, to which species and strain."""

from datetime import datetime
from uuid import uuid4

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS, UTCDateTime, utc_now


class Study(SQLModel, table=True):
    """One experiment: a compound against its vehicle, with the settings every later step uses.

    `uuid` is the study's stable identity: the sealed key is bound to it, and printed labels carry it.
    The syringe graduation (mL) is what the sheet rounds each volume to; a volume given may differ from the
    computed one by at most the tolerance (% of it); weights are typed to `weight_precision_g`.
    """

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=lambda: str(uuid4()), unique=True, index=True, max_length=36)
    name: str = Field(unique=True, max_length=NAME_CHARS)
    compound: str = Field(max_length=NAME_CHARS)
    dose_mg_per_kg: float
    route: str = Field(max_length=20)
    vehicle: str = Field(max_length=NAME_CHARS)
    volume_ml_per_kg: float
    species: str = Field(max_length=60)
    strain: str = Field(max_length=NAME_CHARS)
    test_hours_post_dose: float = Field(default=24.0, sa_column_kwargs={"server_default": "24"})
    syringe_graduation_ml: float = Field(default=0.01, sa_column_kwargs={"server_default": "0.01"})
    volume_tolerance_pct: float = Field(default=5.0, sa_column_kwargs={"server_default": "5"})
    weight_precision_g: float = Field(default=0.1, sa_column_kwargs={"server_default": "0.1"})
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=NAME_CHARS)


class Arm(SQLModel, table=True):
    """One treatment arm of a study; which animal is in which arm is sealed, never stored here."""

    __table_args__ = (
        UniqueConstraint("study_id", "name"),
        UniqueConstraint("study_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    position: int
    name: str = Field(max_length=60)
    substance: str = Field(max_length=NAME_CHARS)
    dose_mg_per_kg: float
