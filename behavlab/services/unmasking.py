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
    Study,
    UnmaskEvent,
)
from behavlab.services.audit import record_study_event
from behavlab.services.cohort_batches import study_cohorts
from behavlab.services.guards import FULL_UNMASK, refuse_unless_randomized, study_is_unmasked
from behavlab.services.lookup import animal_id_of, blind_codes, find_study, stored_id, study_arms, study_id_of
from behavlab.services.roster_view import current_roster
from behavlab.services.sealing import OpenedKey, arm_names_by_label, open_sealed_keys, sealed_arm_names
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
    """The revealed allocation: arm per code, when and by whom, and each commitment's published opening.

    `openings` has one opening per sealed allocation (one per cohort), in the order drawn.
    """

    study: str
    arms_by_code: dict[str, str]
    at: datetime
    by: str
    forced_reason: str | None
    openings: tuple[Mapping[str, str], ...]

    @property
    def opening(self) -> Mapping[str, str]:
        """The opening of the first (in a study without cohorts, the only) sealed allocation."""
        return self.openings[0]


@dataclass(frozen=True)
class UnmaskReadiness:
    """Where a study stands before unmasking.

    What is still open, how many animals are coded, and whether the whole study is unmasked already.
    """

    items: OpenItems
    n_coded: int
    unmasked: bool


def open_items(workspace: Workspace, study_name: str) -> OpenItems:
    """List unscored sessions and non-excluded animals without any FST score (by code)."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        return _open_items(session, study)


def unmask_readiness(workspace: Workspace, study_name: str) -> UnmaskReadiness:
    """The study's open items, its number of coded animals and whether it is unmasked, in one read."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        coded = len(blind_codes(session, study))
        return UnmaskReadiness(_open_items(session, study), coded, study_is_unmasked(session, study))


def unmask_study(
    workspace: Workspace, study_name: str, passphrase: str, force_reason: str | None = None
) -> Unmasked:
    """Reveal the allocation once, after verifying the commitment; the study is locked from then on."""
    pending, reason = _ready_to_unmask(workspace, study_name, force_reason)
    keys = open_sealed_keys(workspace, study_name, passphrase, AuditAction.STUDY_UNMASK)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        _refuse_if_already_unmasked(session, study)
        openings = [_published_opening(key) for key in keys]
        revealed = _revealed_record(session, study, keys, openings)
        event = UnmaskEvent(
            study_id=study_id_of(study),
            kind=FULL_UNMASK,
            reason=reason or "study end",
            revealed=json.dumps(revealed, sort_keys=True),
            by=workspace.actor,
        )
        session.add(event)
        session.flush()
        arms_by_code: dict[str, str] = {}
        for key in keys:
            arms_by_code.update(_store_revealed_allocation(session, study, key.unsealed, event))
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
                **_openings_field(openings),
            },
        )
    return Unmasked(
        study_name, dict(sorted(arms_by_code.items())), event.at, event.by, reason or None, tuple(openings)
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
    session: Session, study: Study, unsealed: UnsealedKey, event: UnmaskEvent
) -> dict[str, str]:
    """Store each animal of one sealed key with its revealed arm under the unmask event; arm name by code."""
    arms = {arm.name: arm for arm in study_arms(session, study)}
    animals = {
        animal.label: animal_id_of(animal)
        for animal in session.exec(select(Animal).where(Animal.study_id == study.id))
    }
    codes = blind_codes(session, study)
    arms_by_code = {}
    for label, arm_name in arm_names_by_label(unsealed).items():
        arm = arms[arm_name]
        session.add(
            RevealedAllocation(
                animal_id=animals[label], arm_id=stored_id(arm), unmask_event_id=stored_id(event)
            )
        )
        arms_by_code[codes[animals[label]]] = arm.name
    return arms_by_code


def _published_opening(key: OpenedKey) -> dict[str, str]:
    """A key's commitment opening (salt, canonical allocation, recompute command), checked against its map.

    It lets anyone recompute the commitment published before dosing.
    """
    opening = commitment_opening(key.unsealed, key.commitment)
    return {**opening.as_dict(), "command": opening.command()}


def _openings_field(openings: Sequence[Mapping[str, str]]) -> dict[str, object]:
    """The audit field of the openings: one as before, or every cohort's, in the order drawn."""
    if len(openings) == 1:
        return {"commitment_opening": openings[0]}
    return {"commitment_openings": list(openings)}


def _revealed_record(
    session: Session, study: Study, keys: Sequence[OpenedKey], openings: Sequence[Mapping[str, str]]
) -> dict[str, object]:
    """What the unmask event reveals: one key's details as before, or each cohort's under ``allocations``.

    With cohorts, each allocation names its cohort and sequence; the arms of the first stand for all.
    """
    revealed = [
        {
            **_revealed_details(session, study, key.unsealed, len(sealed_arm_names(key.unsealed))),
            "commitment_opening": opening,
        }
        for key, opening in zip(keys, openings, strict=True)
    ]
    if len(revealed) == 1:
        return revealed[0]
    names = {cohort.id: cohort.name for cohort in study_cohorts(session, study)}
    return {
        "arms": revealed[0].get("arms"),
        "allocations": [
            {**details, "sequence": key.sequence, "cohort": names.get(key.cohort_id)}
            for key, details in zip(keys, revealed, strict=True)
        ],
    }


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
