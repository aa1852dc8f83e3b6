"""Unmasking at study end: what is still open, then passphrase -> verify -> reveal -> lock, all audited."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError
from behavlab.models import (
    Animal,
    Exclusion,
    FstSession,
    ImmobilityScore,
    RevealedAllocation,
    SealedKey,
    Study,
    UnmaskEvent,
)
from behavlab.services.audit import record_study_event
from behavlab.services.guards import FULL_UNMASK, refuse_unless_randomized
from behavlab.services.lookup import animal_id_of, blind_codes, find_study, stored_id, study_arms, study_id_of
from behavlab.services.roster_view import current_roster
from behavlab.services.sealing import open_sealed_key, sealed_arm_names
from behavlab.services.text import checked_text
from behavlab.services.voiding import live_scores, live_sessions
from behavlab.services.workspace import Workspace
from cohorts.balance import balance_report
from cohorts.sealed_key import UnsealedKey, commitment_opening


@dataclass(frozen=True)
class OpenItems:
    """What is unfinished before unmasking: sessions never scored, animals with no outcome."""

    unscored_sessions: Sequence[int]
    animals_without_outcome: Sequence[str]

    @property
    def any(self) -> bool:
        """Whether anything is still open."""
        return bool(self.unscored_sessions or self.animals_without_outcome)

    def lines(self) -> list[str]:
        """The open items as text, by code only."""
        lines = []
        if self.unscored_sessions:
            lines.append(
                f"{len(self.unscored_sessions)} FST sessions not scored: {_ids(self.unscored_sessions)}"
            )
        if self.animals_without_outcome:
            lines.append(
                f"{len(self.animals_without_outcome)} animals without an FST score: "
                f"{', '.join(self.animals_without_outcome)}"
            )
        return lines


@dataclass(frozen=True)
class Unmasked:
    """The revealed allocation: arm per code, when and by whom, and the commitment's published opening."""

    study: str
    arms_by_code: dict[str, str]
    at: datetime
    by: str
    forced_reason: str | None
    opening: Mapping[str, str]


def open_items(workspace: Workspace, study_name: str) -> OpenItems:
    """List unscored sessions and non-excluded animals without any FST score (by code)."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        return _open_items(session, study)


def unmask_study(
    workspace: Workspace, study_name: str, passphrase: str, force_reason: str | None = None
) -> Unmasked:
    """Reveal the allocation once, after verifying the commitment; the study is locked from then on."""
    pending, reason = _ready_to_unmask(workspace, study_name, force_reason)
    unsealed = open_sealed_key(workspace, study_name, passphrase, AuditAction.STUDY_UNMASK)
    arm_names = sealed_arm_names(unsealed)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        _refuse_if_already_unmasked(session, study)
        opening = _published_opening(session, study, unsealed)
        revealed = {
            **_revealed_details(session, study, unsealed, len(arm_names)),
            "commitment_opening": opening,
        }
        event = UnmaskEvent(
            study_id=study_id_of(study),
            kind=FULL_UNMASK,
            reason=reason or "study end",
            revealed=json.dumps(revealed, sort_keys=True),
            by=workspace.actor,
        )
        session.add(event)
        session.flush()
        arms_by_code = _store_revealed_allocation(session, study, unsealed, arm_names, event)
        record_study_event(
            session,
            workspace,
            study,
            AuditAction.STUDY_UNMASK,
            {
                "commitment_verified": True,
                "n_animals": len(arms_by_code),
                "forced_reason": reason or None,
                "open_items": pending.lines(),
                "commitment_opening": opening,
            },
        )
    return Unmasked(
        study_name, dict(sorted(arms_by_code.items())), event.at, event.by, reason or None, opening
    )


def _ready_to_unmask(
    workspace: Workspace, study_name: str, force_reason: str | None
) -> tuple[OpenItems, str]:
    """The open items and the --force reason ('' if none); refused while open items have no reason."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "unmask")
        _refuse_if_already_unmasked(session, study)
        pending = _open_items(session, study)
    reason = checked_text((force_reason or "").strip(), "--force reason")
    if pending.any and not reason:
        raise ConflictError(
            f"study {study_name!r} has open items ({'; '.join(pending.lines())}); "
            "finish them, or unmask anyway with --force and a reason"
        )
    return pending, reason


def _store_revealed_allocation(
    session: Session, study: Study, unsealed: UnsealedKey, arm_names: Sequence[str], event: UnmaskEvent
) -> dict[str, str]:
    """Store each animal's revealed arm under the unmask event; return the arm name by blind code."""
    arms = {arm.name: arm for arm in study_arms(session, study)}
    animals = {
        animal.label: animal_id_of(animal)
        for animal in session.exec(select(Animal).where(Animal.study_id == study.id))
    }
    codes = blind_codes(session, study)
    arms_by_code = {}
    for label, arm_index in unsealed.assignment.items():
        arm = arms[arm_names[arm_index]]
        session.add(
            RevealedAllocation(
                animal_id=animals[label], arm_id=stored_id(arm), unmask_event_id=stored_id(event)
            )
        )
        arms_by_code[codes[animals[label]]] = arm.name
    return arms_by_code


def _published_opening(session: Session, study: Study, unsealed: UnsealedKey) -> dict[str, str]:
    """The commitment's opening (salt, canonical allocation, recompute command), checked against the map.

    It lets anyone recompute the commitment published before dosing.
    """
    commitment = session.exec(select(SealedKey.commitment).where(SealedKey.study_id == study.id)).one()
    opening = commitment_opening(unsealed, commitment)
    return {**opening.as_dict(), "command": opening.command()}


def _revealed_details(
    session: Session, study: Study, unsealed: UnsealedKey, n_arms: int
) -> dict[str, object]:
    """The sealed details with the balance report, recomputed for allocations sealed without it.

    Allocations sealed before the balance was sealed with them get it recomputed from the revealed map and
    the roster's baseline weights, marked as recomputed.
    """
    revealed: dict[str, object] = dict(unsealed.details)
    if "balance" not in revealed:
        revealed["balance"] = _recomputed_balance(session, study, unsealed.assignment, n_arms)
        revealed["balance_recomputed_at_unmasking"] = True
    return revealed


def _recomputed_balance(
    session: Session, study: Study, assignment: Mapping[str, int], n_arms: int
) -> dict[str, object]:
    roster = [
        entry
        for entry in current_roster(session, study, include_excluded=True)
        if entry.animal_id in assignment
    ]
    return balance_report(roster, assignment, n_arms).as_dict()


def _open_items(session: Session, study: Study) -> OpenItems:
    sessions = [
        (stored_id(fst), fst.animal_id)
        for fst in session.exec(select(FstSession).where(FstSession.study_id == study.id, live_sessions()))
    ]
    scored = set(
        session.exec(
            select(ImmobilityScore.session_id).where(
                col(ImmobilityScore.session_id).in_([s for s, _ in sessions]), live_scores()
            )
        )
    )
    unscored = sorted(session_id for session_id, _ in sessions if session_id not in scored)
    with_outcome = {animal for session_id, animal in sessions if session_id in scored}
    excluded = set(session.exec(select(Exclusion.animal_id)))
    codes = blind_codes(session, study)
    missing = sorted(
        code for animal, code in codes.items() if animal not in with_outcome and animal not in excluded
    )
    return OpenItems(unscored, missing)


def _refuse_if_already_unmasked(session: Session, study: Study) -> None:
    done = session.exec(
        select(UnmaskEvent).where(UnmaskEvent.study_id == study.id, UnmaskEvent.kind == FULL_UNMASK)
    ).first()
    if done is not None:
        raise ConflictError(
            f"study {study.name!r} was already unmasked on {done.at:%Y-%m-%d %H:%M} UTC by {done.by}; "
            "nothing was changed"
        )


def _ids(values: Sequence[int]) -> str:
    shown = ", ".join(str(value) for value in values[:20])
    return shown + (", ..." if len(values) > 20 else "")
