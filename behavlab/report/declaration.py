"""The study's declared primary outcome as the report states it: what, how scored, when, by whom, each change.

A result is labelled primary only when it is the declared outcome scored by the declared method; the report
says whether the declaration in force was made before the randomization or after it, while the allocation
was still sealed (a declaration is refused once unmasked), and lists every earlier version with the reason
it was changed.
"""

from __future__ import annotations

from behavlab.report.blocks import Block, Paragraph, table
from behavlab.report.data import ReportData
from behavlab.report.records import PrimaryEndpoint, ProtocolDeclaration

BEFORE_RANDOMIZATION = "before the randomization"
AFTER_RANDOMIZATION = "after the randomization, while the allocation was still sealed"


def primary_declaration(data: ReportData, declared: PrimaryEndpoint) -> list[Block]:
    """The declared primary outcome and method, when and by whom it was declared, each change and why."""
    definition = data.definition(declared.outcome)
    title = data.title(declared.outcome, declared.method)
    method = declared.method or "none (not scored by a method)"
    blocks: list[Block] = [
        Paragraph(
            f"Primary outcome, declared by the study: {title} ({definition.unit}); scoring method: "
            f"{method}. {definition.definition}"
        )
    ]
    if not declared.declarations:
        return blocks
    current = declared.declarations[-1]
    timing = BEFORE_RANDOMIZATION if declared.before_randomization else AFTER_RANDOMIZATION
    blocks.append(
        Paragraph(
            f"Declared in protocol version {current.version} by {current.declared_by} on "
            f"{current.declared_at.isoformat(timespec='minutes')}, {timing}."
        )
    )
    if len(declared.declarations) == 1:
        blocks.append(Paragraph("The declaration was not changed."))
        return blocks
    rows = [_version_cells(data, version) for version in declared.declarations]
    header = ("version", "primary outcome", "scoring method", "declared by", "at", "reason for the change")
    blocks.append(table(header, rows, f"Declarations of the primary outcome ({len(rows)} versions)"))
    return blocks


def _version_cells(data: ReportData, version: ProtocolDeclaration) -> tuple[object, ...]:
    return (
        version.version,
        data.definition(version.outcome).label,
        version.method or "none",
        version.declared_by,
        version.declared_at.isoformat(timespec="minutes"),
        version.reason or "first declaration",
    )
