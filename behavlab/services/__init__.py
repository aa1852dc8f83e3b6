"""The application's workflows: the only layer the CLI and TUI call; owns transactions and the audit log."""

from behavlab.db.migrate import UpgradeResult
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
    "ChainReport",
    "StudyOverview",
    "StudySettings",
    "UpgradeResult",
    "Workspace",
    "create_study",
    "get_study",
    "list_events",
    "list_studies",
    "open_workspace",
    "run_demo",
    "upgrade_database",
    "verify_chain",
]
