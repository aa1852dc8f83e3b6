"""Study reports: a :class:`ReportData` snapshot to report.md/.html, figures, data.csv/.xlsx, manifest.json.

A pure rendering package: it reads no database and knows no CLI or TUI. The application fills a
:class:`ReportData` (blind before unmasking, unmasked after) and calls :func:`write_report`.
"""

from behavlab.report.data import (
    AgreementInfo,
    Amendment,
    AnimalInfo,
    ArmInfo,
    BlindingInfo,
    BlindingStage,
    EmergencyUnblinding,
    ExclusionInfo,
    OutcomeDefinition,
    ProcedureInfo,
    RandomizationInfo,
    ReportData,
    ScoringInfo,
    SptPeriodInfo,
    StudyInfo,
)
from behavlab.report.render import ReportFiles, write_report

__all__ = [
    "AgreementInfo",
    "Amendment",
    "AnimalInfo",
    "ArmInfo",
    "BlindingInfo",
    "BlindingStage",
    "EmergencyUnblinding",
    "ExclusionInfo",
    "OutcomeDefinition",
    "ProcedureInfo",
    "RandomizationInfo",
    "ReportData",
    "ReportFiles",
    "ScoringInfo",
    "SptPeriodInfo",
    "StudyInfo",
    "write_report",
]
