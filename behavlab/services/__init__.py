"""The application's workflows: the only layer the CLI and TUI call; owns transactions and the audit log."""

from behavlab.db.migrate import UpgradeResult
from behavlab.services.animals import (
    AnimalStatus,
    RosterImport,
    WeighingSummary,
    exclude_animal,
    import_roster,
    list_animals,
    record_weights,
)
from behavlab.services.audit import ChainReport, list_events, verify_chain
from behavlab.services.demo import DEMO_STUDY, run_demo
from behavlab.services.studies import (
    ROUTES,
    StudyOverview,
    StudySettings,
    create_study,
    get_study,
    list_studies,
)
from behavlab.services.workspace import Workspace, open_workspace, upgrade_database

__all__ = [
    "DEMO_STUDY",
    "ROUTES",
    "AnimalStatus",
    "ChainReport",
    "RosterImport",
    "StudyOverview",
    "StudySettings",
    "UpgradeResult",
    "WeighingSummary",
    "Workspace",
    "create_study",
    "exclude_animal",
    "get_study",
    "import_roster",
    "list_animals",
    "list_events",
    "list_studies",
    "open_workspace",
    "record_weights",
    "run_demo",
    "upgrade_database",
    "verify_chain",
]
