"""The database schema as plain SQLModel tables; rules live in services, cohorts and tracking.

Each table's class loads from its module on first use (PEP 562): a command that reads two tables builds only
those two, since setting up SQLAlchemy's tables and mappers is most of a short command's own time.
`load_all` puts every table on ``SQLModel.metadata``, for writes, migrations and audit verification.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from behavlab.lazy_names import homes_index, load_public_name

if TYPE_CHECKING:
    from behavlab.models.allocation import Allocation, Randomization, SealedKey
    from behavlab.models.amendment import Amendment
    from behavlab.models.animal import Animal, CageAssignment, Weight
    from behavlab.models.audit import AuditEvent, AuditRow
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
    from behavlab.models.utc_time import UTCDateTime, utc_now
    from behavlab.models.voiding import Voiding

_HOMES = {
    "behavlab.models.allocation": "Allocation Randomization SealedKey",
    "behavlab.models.amendment": "Amendment",
    "behavlab.models.animal": "Animal CageAssignment Weight",
    "behavlab.models.audit": "AuditEvent AuditRow",
    "behavlab.models.dosing": "DoseEvent",
    "behavlab.models.exclusion": "Exclusion RevealedAllocation UnmaskEvent",
    "behavlab.models.protocol": "Protocol",
    "behavlab.models.sessions": "FstBenchMark FstSession ImmobilityScore SptPeriod SptReading SptSheetFile",
    "behavlab.models.study": "Arm Cohort Study",
    "behavlab.models.utc_time": "UTCDateTime utc_now",
    "behavlab.models.voiding": "Voiding",
}
_WHERE = homes_index(_HOMES)

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


def __getattr__(name: str) -> Any:
    """Import a table class (or a shared column type) from its module on first use."""
    return load_public_name(globals(), _WHERE, name)


def load_all() -> None:
    """Import every table's module, so ``SQLModel.metadata`` holds the whole schema."""
    for module in _HOMES:
        import_module(module)
