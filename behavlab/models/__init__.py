"""The database schema as plain SQLModel tables; rules live in services, cohorts and tracking."""

from behavlab.models.animal import Animal, CageAssignment, Weight
from behavlab.models.audit import AuditEvent
from behavlab.models.base import UTCDateTime, utc_now
from behavlab.models.study import Arm, Study

__all__ = [
    "Animal",
    "Arm",
    "AuditEvent",
    "CageAssignment",
    "Study",
    "UTCDateTime",
    "Weight",
    "utc_now",
]
