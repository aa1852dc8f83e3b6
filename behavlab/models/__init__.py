"""The database schema as plain SQLModel tables; rules live in services, cohorts and tracking."""

from behavlab.models.allocation import Allocation, Randomization, SealedKey
from behavlab.models.amendment import Amendment
from behavlab.models.animal import Animal, CageAssignment, Weight
from behavlab.models.audit import AuditEvent, AuditRow
from behavlab.models.base import UTCDateTime, utc_now
from behavlab.models.dosing import DoseEvent
from behavlab.models.exclusion import Exclusion, RevealedAllocation, UnmaskEvent
from behavlab.models.protocol import Protocol
from behavlab.models.sessions import (
    FstBenchMark,
    FstSession,
    ImmobilityScore,
    SptPeriod,
    SptReading,
    SptSheetFile,
)
from behavlab.models.study import Arm, Cohort, Study
from behavlab.models.voiding import Voiding

__all__ = [
    "Allocation",
    "Amendment",
    "Animal",
    "Arm",
    "AuditEvent",
    "AuditRow",
    "CageAssignment",
    "Cohort",
    "DoseEvent",
    "Exclusion",
    "FstBenchMark",
    "FstSession",
    "ImmobilityScore",
    "Protocol",
    "Randomization",
    "RevealedAllocation",
    "SealedKey",
    "SptPeriod",
    "SptReading",
    "SptSheetFile",
    "Study",
    "UTCDateTime",
    "UnmaskEvent",
    "Voiding",
    "Weight",
    "utc_now",
]
