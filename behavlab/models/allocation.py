"""The randomization of a study: its public record, each animal's blind code, and the sealed key.

Which arm an animal is in is stored only inside `SealedKey.ciphertext`; every other column here is safe to
show to the people who dose and score.
"""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import UTCDateTime, utc_now


class Randomization(SQLModel, table=True):
    """How a study was randomized (method, strata, input hash, balance) without the seed or the map."""

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", unique=True)
    method: str = Field(max_length=40)
    strata: str = Field(max_length=200)
    n_arms: int
    n_animals: int
    roster_sha256: str = Field(max_length=64)
    library_version: str = Field(max_length=40)
    balance: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=120)


class Allocation(SQLModel, table=True):
    """An animal's unique blind code; rows are written in roster order, never grouped by arm."""

    __table_args__ = (UniqueConstraint("study_id", "blind_code"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    animal_id: int = Field(foreign_key="animal.id", unique=True)
    blind_code: str = Field(max_length=16)


class SealedKey(SQLModel, table=True):
    """The encrypted animal -> arm map (with the seed) and the SHA-256 commitment published before dosing."""

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", unique=True)
    ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    commitment: str = Field(max_length=64)
