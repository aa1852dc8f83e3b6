"""Declaring a study's whole protocol plan, the randomization's gate on it, and its line on the dosing sheet.

Randomization runs under the protocol version in force, which must hold a plan, or without one only when told
so (`--no-protocol`): the randomization records the version or the waiver, and its audit event says which.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from analysis.plan import COMPARISONS as PLAN_COMPARISONS
from analysis.plan import TESTS as PLAN_TESTS
from analysis.plan import ProtocolPlan
from behavlab.db.session import writing
from behavlab.errors import ConflictError
from behavlab.models import Study
from behavlab.services.lookup import find_study, stored_id
from behavlab.services.protocol import DeclaredProtocol, current_protocol, record_version
from behavlab.services.protocol_design import checked_plan
from behavlab.services.workspace import Workspace

__all__ = [
    "PLAN_COMPARISONS",
    "PLAN_TESTS",
    "SHORT_HASH_CHARS",
    "ProtocolPlan",
    "declare_protocol",
    "protocol_lines",
    "require_protocol",
]

#: How many hex characters of the plan's SHA-256 name it on a sheet.
SHORT_HASH_CHARS = 12


@dataclass(frozen=True)
class ProtocolTerms:
    """What a randomization runs under: a protocol version and its plan's hash, or a recorded waiver."""

    protocol_id: int | None
    version: int | None
    plan_sha256: str | None

    @property
    def waived(self) -> bool:
        """Whether the randomization runs without a protocol."""
        return self.protocol_id is None

    def record(self) -> dict[str, Any]:
        """The terms for the randomization's audit event."""
        if self.waived:
            return {"protocol_waived": True}
        return {"protocol_version": self.version, "plan_sha256": self.plan_sha256}


def declare_protocol(
    workspace: Workspace, study_name: str, plan: ProtocolPlan, reason: str | None = None
) -> DeclaredProtocol:
    """Record the study's protocol plan as its next version.

    A change needs its reason (after randomization it is an amendment); refused once unmasked, or when the
    plan has problems (all of them named at once).
    """
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        completed = checked_plan(session, study, plan)
        declared = (completed.primary_outcome, completed.primary_method, completed)
        return record_version(session, workspace, study, declared, reason)


def require_protocol(session: Session, study: Study, no_protocol: bool) -> ProtocolTerms:
    """The protocol a randomization runs under: refused without a plan unless waived; no waiver with one."""
    current = current_protocol(session, study)
    has_plan = current is not None and current.plan_sha256 is not None
    if no_protocol:
        if current is not None and has_plan:
            raise ConflictError(
                f"study {study.name!r} has protocol version {current.version}; randomize under it "
                "(without --no-protocol)"
            )
        return ProtocolTerms(None, None, None)
    if current is None or not has_plan:
        raise ConflictError(
            f"study {study.name!r} has no protocol plan; record it first (`behavlab protocol declare "
            f"{study.name} --primary ... --smallest-effect-d ...`, or p on the study's dashboard), or "
            "randomize without one with --no-protocol (recorded)"
        )
    return ProtocolTerms(stored_id(current), current.version, current.plan_sha256)


def protocol_sheet_line(session: Session, study: Study) -> str:
    """The protocol a sheet is printed under: its version and the first characters of its plan's hash."""
    current = current_protocol(session, study)
    if current is None or current.plan_sha256 is None:
        return "Protocol: none declared"
    return f"Protocol: version {current.version}, plan SHA-256 {current.plan_sha256[:SHORT_HASH_CHARS]}"


def protocol_lines(declared: DeclaredProtocol) -> list[str]:
    """A protocol version as lines of text: who declared it and why, its plan, and the plan's SHA-256."""
    method = f" by {declared.primary_method}" if declared.primary_method else ""
    lines = [
        f"declared {declared.declared_at:%Y-%m-%d %H:%M} UTC by {declared.declared_by}"
        + ("" if declared.before_randomization else ", after randomization"),
        f"primary outcome: {declared.primary_outcome}{method}",
    ]
    if declared.reason:
        lines.append(f"reason for the change: {declared.reason}")
    plan = declared.plan
    if plan is None:
        return [*lines, "plan: none (a primary outcome declared alone)"]
    size = plan.sample_size
    computed = (
        "not computed"
        if size is None
        else f"{size.n_per_arm} ({size.method}; power {size.achieved_power:.3f})"
    )
    return [
        *lines,
        f"secondary outcomes: {', '.join(plan.secondary_outcomes) or 'none'}",
        f"comparisons: {', '.join(plan.comparisons)}; test: {plan.test}",
        f"alpha {plan.alpha:g}, power {plan.power:g}, smallest effect d {plan.smallest_effect_d:g}",
        f"n per arm: planned {plan.planned_n_per_arm}, computed {computed}",
        f"inclusion criteria: {plan.inclusion_criteria or 'not stated'}",
        f"exclusion criteria: {plan.exclusion_criteria or 'not stated'}",
        f"outlier rules: {plan.outlier_rules or 'not stated'}",
        f"test time: {plan.test_hours_post_dose:g} h after dosing",
        f"plan SHA-256: {declared.plan_sha256}",
    ]
