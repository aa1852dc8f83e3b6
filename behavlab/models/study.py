"""A study and its arms: what is given, at which dose and volume, to which species and strain."""

from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Study(SQLModel, table=True):
    """One experiment: its arms (by default a compound against its vehicle) and the settings every step uses.

    `factor_name` names a between-animal factor that is not randomized (e.g. ``stress``), whose level each
    animal carries from the roster (`Animal.factor_level`); randomization stratifies on it.

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
    factor_name: str | None = Field(default=None, max_length=60)
    syringe_graduation_ml: float = Field(default=0.01, sa_column_kwargs={"server_default": "0.01"})
    volume_tolerance_pct: float = Field(default=5.0, sa_column_kwargs={"server_default": "5"})
    weight_precision_g: float = Field(default=0.1, sa_column_kwargs={"server_default": "0.1"})
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=NAME_CHARS)


class Arm(SQLModel, table=True):
    """One treatment arm of a study; which animal is in which arm is sealed, never stored here.

    Every arm is given at the study's one volume per kg, so its stock is its dose over that volume unless
    `stock_mg_per_ml` is stated. `is_reference` marks the arm the others are compared with; a study whose arms
    mark none (studies made before arms could be chosen) takes its first arm, the vehicle.
    """

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
    stock_mg_per_ml: float | None = None
    is_reference: bool | None = None


class Cohort(SQLModel, table=True):
    """A batch of a study's animals run on their own dates, randomized and sealed within itself."""

    __table_args__ = (UniqueConstraint("study_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    name: str = Field(max_length=60)
    starts_on: date | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=NAME_CHARS)
