"""The protocol a study report follows, its amendments after randomization, and each cohort's randomization.

The application fills them: :class:`ProtocolInfo` holds the plan in force
(:class:`analysis.plan.ProtocolPlan`, public design: it names no animal's arm); :class:`CohortDraw` one
cohort's sealed allocation, whose seed, block sizes, balance and opening stay empty in a blind report
(:class:`behavlab.report.data.ReportData` checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from analysis.plan import ProtocolPlan


@dataclass(frozen=True)
class ProtocolAmendment:
    """A protocol version declared after the randomization (audited as an amendment), with its reason."""

    version: int
    reason: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class ProtocolInfo:
    """The protocol version in force, its whole plan and hash, and each amendment made after randomizing."""

    plan: ProtocolPlan
    version: int
    plan_sha256: str
    declared_at: datetime
    declared_by: str
    amendments: tuple[ProtocolAmendment, ...] = ()


@dataclass(frozen=True)
class CohortDraw:
    """One cohort's randomization: how and when drawn, its commitment and, once unmasked, its details."""

    cohort: str
    starts_on: date | None
    method: str
    strata: tuple[str, ...]
    n_animals: int
    created_at: datetime
    created_by: str
    commitment: str
    protocol_waived: bool = False
    commitment_verified: bool = False
    seed: int | None = None
    block_sizes: tuple[int, ...] = ()
    balance_lines: tuple[str, ...] = ()
    commitment_opening: Mapping[str, str] | None = None
