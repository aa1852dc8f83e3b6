"""Study reports: a :class:`ReportData` snapshot to report.md/.html, figures, data.csv/.xlsx, manifest.json.

A pure rendering package: it reads no database and knows no CLI or TUI. The application fills a
:class:`ReportData` (blind before unmasking, unmasked after) and calls :func:`write_report`.
"""

from typing import TYPE_CHECKING, Any

from behavlab.report.measures import OutcomeDefinition
from behavlab.report.records import (
    AgreementInfo,
    Amendment,
    AnimalInfo,
    ArmInfo,
    BlindingInfo,
    BlindingStage,
    DoseInfo,
    EmergencyUnblinding,
    ExclusionInfo,
    PrimaryEndpoint,
    ProcedureInfo,
    ProtocolDeclaration,
    RandomizationInfo,
    ScoringInfo,
    SptPeriodInfo,
    StageAccount,
    StudyInfo,
    VoidedInfo,
)

if TYPE_CHECKING:
    from behavlab.report.data import ReportData
    from behavlab.report.render import ReportFiles, write_report


def __getattr__(name: str) -> Any:
    """The data model and the renderer, imported on first use: they pull pandas, scipy and Matplotlib."""
    if name == "ReportData":
        from behavlab.report import data

        return data.ReportData
    if name in ("ReportFiles", "write_report"):
        from behavlab.report import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AgreementInfo",
    "Amendment",
    "AnimalInfo",
    "ArmInfo",
    "BlindingInfo",
    "BlindingStage",
    "DoseInfo",
    "EmergencyUnblinding",
    "ExclusionInfo",
    "OutcomeDefinition",
    "PrimaryEndpoint",
    "ProcedureInfo",
    "ProtocolDeclaration",
    "RandomizationInfo",
    "ReportData",
    "ReportFiles",
    "ScoringInfo",
    "SptPeriodInfo",
    "StageAccount",
    "StudyInfo",
    "VoidedInfo",
    "write_report",
]
