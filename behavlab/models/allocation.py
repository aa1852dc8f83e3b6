"""The randomization of a study: its public record, each animal's blind code, and the sealed key.

Which arm an animal is in is stored only inside `SealedKey.ciphertext`, together with everything that depends
on the draw (seed, block sizes, the per-arm balance report); every other column here is a function of the
roster and the design alone, safe to show to the people who dose and score.
"""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from behavlab.models.base import NAME_CHARS
from behavlab.models.utc_time import UTCDateTime, utc_now


class Randomization(SQLModel, table=True):
    """How a study (or one cohort of it) was randomized: method, strata, input hash; no seed, map, balance.

    `sequence` numbers the sealed allocations of one study (1 for the first), so cohorts randomized weeks
    apart can each hold their own. `draws_previewed` counts the draws the key holder looked at before
    committing this one. `balance_was_readable` marks allocations made before per-arm aggregates were sealed.
    `cohort_id` is the cohort randomized (None: the whole roster). `protocol_id` is the protocol version in
    force when it was drawn; `protocol_waived` is True when it was drawn without one, as its user asked.
    """

    __table_args__ = (UniqueConstraint("study_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    sequence: int = Field(default=1)
    method: str = Field(max_length=40)
    strata: str = Field(max_length=200)
    n_arms: int
    n_animals: int
    roster_sha256: str = Field(max_length=64)
    library_version: str = Field(max_length=40)
    draws_previewed: int = Field(default=1)
    balance_was_readable: bool = Field(default=False)
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id")
    protocol_id: int | None = Field(default=None, foreign_key="protocol.id")
    protocol_waived: bool | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=NAME_CHARS)


class Allocation(SQLModel, table=True):
    """An animal's unique blind code; rows are written in roster order, never grouped by arm."""

    __table_args__ = (UniqueConstraint("study_id", "blind_code"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    animal_id: int = Field(foreign_key="animal.id", unique=True)
    blind_code: str = Field(max_length=16)


class SealedKey(SQLModel, table=True):
    """One randomization's encrypted animal -> arm map and details, and its published commitment."""

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    randomization_id: int = Field(foreign_key="randomization.id", unique=True)
    ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    commitment: str = Field(max_length=64)
