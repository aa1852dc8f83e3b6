"""How a study's allocation was made and who knew it, as its report records them.

The randomization record gives its sealed parts (seed, block sizes, balance, the commitment's opening) only
from the full unmasking's revealed record, read by :func:`opened_parts` for it and each cohort's draw alike;
with cohorts it records the first allocation drawn. The blinding record names each stage's people (never the
software), whether any of them held the key, and the operating-system accounts that acted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.models import (
    Allocation,
    AuditEvent,
    DoseEvent,
    FstSession,
    ImmobilityScore,
    Randomization,
    SealedKey,
    Study,
    UnmaskEvent,
)
from behavlab.report import BlindingInfo, BlindingStage, RandomizationInfo, StageAccount
from behavlab.report.records import ALLOCATION_STAGE, ANALYSIS_STAGE, ASSESSMENT_STAGE, CONDUCT_STAGE
from behavlab.services.scoring_methods import MANUAL_METHOD
from cohorts.balance import BalanceReport, arm_label


@dataclass(frozen=True)
class OpenedParts:
    """What the full unmasking opened of one sealed allocation; all empty while it is sealed."""

    seed: int | None = None
    block_sizes: tuple[int, ...] = ()
    balance_lines: tuple[str, ...] = ()
    commitment_opening: Mapping[str, str] | None = None


def opened_parts(unmask: UnmaskEvent | None, sequences: Sequence[int]) -> tuple[OpenedParts, ...]:
    """The opened parts of each allocation drawn, for the randomization ``sequences`` given, in their order.

    The unmasking records one allocation's details as the record itself, or several under ``allocations``
    each with its ``sequence``; before the unmasking every part is sealed.
    """
    revealed: dict[str, Any] = json.loads(unmask.revealed or "{}") if unmask is not None else {}
    listed = revealed.get("allocations")
    if listed is not None:
        by_sequence = {details["sequence"]: details for details in listed}
    else:
        by_sequence = dict(zip(sequences[:1], [revealed], strict=False)) if revealed else {}
    return tuple(_opened(by_sequence.get(sequence, {})) for sequence in sequences)


def _opened(details: Mapping[str, Any]) -> OpenedParts:
    sizes = details.get("block_sizes", {})
    balance = BalanceReport.from_dict(details["balance"]).lines() if "balance" in details else []
    return OpenedParts(
        seed=details.get("seed"),
        block_sizes=tuple(size for stratum in sorted(sizes) for size in sizes[stratum]),
        balance_lines=(*balance, *arm_legend(details.get("arms", []))) if balance else (),
        commitment_opening=details.get("commitment_opening"),
    )


def randomization_record(
    session: Session, study: Study, unmask: UnmaskEvent | None
) -> RandomizationInfo | None:
    """How the (first) allocation was made, None before randomizing; sealed parts from ``unmask`` alone."""
    query = (
        select(Randomization, SealedKey.commitment)
        .join(SealedKey, col(SealedKey.randomization_id) == Randomization.id)
        .where(Randomization.study_id == study.id)
        .order_by(col(Randomization.sequence))
    )
    first = session.exec(query).first()
    if first is None:
        return None
    record, commitment = first
    (opened,) = opened_parts(unmask, [record.sequence])
    return RandomizationInfo(
        method=record.method,
        strata=tuple(s for s in record.strata.split(",") if s),
        n_arms=record.n_arms,
        roster_sha256=record.roster_sha256,
        library_version=record.library_version,
        commitment=commitment,
        created_at=record.created_at,
        created_by=record.created_by,
        seed=opened.seed,
        block_sizes=opened.block_sizes,
        draws_previewed=record.draws_previewed,
        balance_was_readable=record.balance_was_readable,
        balance_lines=opened.balance_lines,
        commitment_opening=opened.commitment_opening,
    )


def arm_legend(arm_names: Sequence[str]) -> tuple[str, ...]:
    """Which arm each number of the balance report stands for, once unmasked."""
    return (", ".join(f"{arm_label(index)} = {name}" for index, name in enumerate(arm_names)),)


def blinding_record(
    session: Session,
    study: Study,
    randomization: RandomizationInfo | None,
    unmask: UnmaskEvent | None,
    report_writer: str,
) -> BlindingInfo:
    """The key holder, each stage's people and whether they knew the allocation, and the unmasking.

    People only: automated scoring is named by the person who ran it, the software in the methods. The
    analysis stage names who unmasked and ``report_writer``, the person writing this report.
    """
    key_holder = randomization.created_by if randomization else study.created_by
    operators = set(
        session.exec(
            select(DoseEvent.operator)
            .join(Allocation, col(Allocation.animal_id) == DoseEvent.animal_id)
            .where(Allocation.study_id == study.id)
        )
    ) | set(session.exec(select(FstSession.recorded_by).where(FstSession.study_id == study.id)))
    scorers = set(
        session.exec(
            select(ImmobilityScore.scorer)
            .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
            .where(FstSession.study_id == study.id, ImmobilityScore.method == MANUAL_METHOD)
        )
    ) | _actors(session, study, (AuditAction.FST_SCORE,))
    knowers = {key_holder} | _actors(
        session, study, (AuditAction.PREPARER_SHEET_REPRINT, AuditAction.LABELS_PREPARER)
    )
    analysts = tuple(dict.fromkeys((*([unmask.by] if unmask else []), report_writer)))
    declared = (
        BlindingStage(ALLOCATION_STAGE, (key_holder,), True),
        BlindingStage(CONDUCT_STAGE, tuple(sorted(operators)), bool(operators & knowers)),
        BlindingStage(ASSESSMENT_STAGE, tuple(sorted(scorers)), bool(scorers & knowers)),
        BlindingStage(ANALYSIS_STAGE, analysts, unmask is not None or bool(set(analysts) & knowers)),
    )
    stages = tuple(
        replace(stage, accounts=_stage_accounts(session, study, stage.stage)) for stage in declared
    )
    return BlindingInfo(key_holder, stages, unmask.at if unmask else None, unmask.by if unmask else None)


def _actors(session: Session, study: Study, actions: Sequence[AuditAction]) -> set[str]:
    """The people the audit log names for the study's events of these actions."""
    return set(
        session.exec(
            select(AuditEvent.actor).where(
                AuditEvent.study_id == study.id, col(AuditEvent.action).in_(actions)
            )
        )
    )


#: The audit actions that make up each stage of the blinding table; their events say who acted.
STAGE_ACTIONS: dict[str, tuple[AuditAction, ...]] = {
    ALLOCATION_STAGE: (
        AuditAction.STUDY_RANDOMIZE,
        AuditAction.PREPARER_SHEET_WRITE,
        AuditAction.PREPARER_SHEET_REPRINT,
        AuditAction.LABELS_PREPARER,
    ),
    CONDUCT_STAGE: (AuditAction.DOSE_RECORD, AuditAction.FST_ADD),
    ASSESSMENT_STAGE: (AuditAction.FST_SCORE, AuditAction.FST_MANUAL_SCORE),
    ANALYSIS_STAGE: (AuditAction.STUDY_UNMASK,),
}


def _stage_accounts(session: Session, study: Study, stage: str) -> tuple[StageAccount, ...]:
    """Each declared person of a stage's audit events with the OS account and host that acted."""
    rows = session.exec(
        select(AuditEvent.actor, AuditEvent.os_user, AuditEvent.host)
        .where(
            AuditEvent.study_id == study.id,
            col(AuditEvent.action).in_(STAGE_ACTIONS[stage]),
            col(AuditEvent.os_user).is_not(None),
        )
        .distinct()
    ).all()
    return tuple(
        StageAccount(actor, os_user or "", host or "unknown")
        for actor, os_user, host in sorted(rows, key=str)
    )
