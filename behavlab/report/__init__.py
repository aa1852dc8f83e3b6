"""Study reports: a :class:`ReportData` snapshot to report.md/.html, figures, data.csv/.xlsx, manifest.json.

A pure rendering package: it reads no database and knows no CLI or TUI. The application fills a
:class:`ReportData` (blind before unmasking, unmasked after) and calls :func:`write_report`.
"""

from typing import TYPE_CHECKING, Any

from behavlab.lazy_names import homes_index, load_public_name

if TYPE_CHECKING:
    from behavlab.report.data import ReportData
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
    from behavlab.report.render import ReportFiles, write_report

#: Each public name's module: imported on first use, as the data model and the renderer pull pandas, scipy
#: and Matplotlib, and a command that only names an outcome should not build every record class.
_WHERE = homes_index(
    {
        "behavlab.report.data": "ReportData",
        "behavlab.report.measures": "OutcomeDefinition",
        "behavlab.report.records": (
            "AgreementInfo Amendment AnimalInfo ArmInfo BlindingInfo BlindingStage DoseInfo "
            "EmergencyUnblinding ExclusionInfo PrimaryEndpoint ProcedureInfo ProtocolDeclaration "
            "RandomizationInfo ScoringInfo SptPeriodInfo StageAccount StudyInfo VoidedInfo"
        ),
        "behavlab.report.render": "ReportFiles write_report",
    }
)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    return load_public_name(globals(), _WHERE, name)


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
