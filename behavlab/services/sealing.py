"""Opening the sealed key: passphrase -> decrypt -> verify the commitment, with every attempt audited.

Used for the preparer sheet (the one unblinded document), emergency unblinding of one animal and, at study
end, unmasking. A wrong passphrase or a tampered key reveals nothing and leaves an audit event behind.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.audit_head import ChainHead
from behavlab.db.row_digests import RowProblem
from behavlab.db.session import reading, writing
from behavlab.errors import BehavlabError, InvalidInputError, NotFoundError
from behavlab.models import Allocation, Animal, Arm, AuditEvent, Randomization, SealedKey, Study, UnmaskEvent
from behavlab.services.arms import stock_of
from behavlab.services.audit import changed_rows, record_event, record_study_event
from behavlab.services.audit_anchor import chain_head
from behavlab.services.guards import EMERGENCY_UNMASK
from behavlab.services.lookup import find_animal_by_typed_code, find_study, study_arms, study_id_of
from behavlab.services.sheets import write_csv
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from cohorts.sealed_key import SealedKey as StoredKey
from cohorts.sealed_key import UnsealedKey, unseal
from cohorts.sealing_errors import CommitmentMismatchError, SealedKeyError, WrongPassphraseError
from writing.atomic import PRIVATE_FILE_MODE

PREPARER_HEADER = ("code", "arm", "substance", "dose_mg_per_kg", "concentration_mg_per_ml")


class UnsealError(BehavlabError):
    """The sealed key could not be opened or did not verify; nothing was revealed."""


@dataclass(frozen=True)
class PreparerRow:
    """One coded syringe to prepare: the code, the arm and what goes into it."""

    code: str
    arm: str
    substance: str
    dose_mg_per_kg: float
    concentration_mg_per_ml: float


@dataclass(frozen=True)
class EmergencyUnblinding:
    """One animal revealed for welfare: who, which arm, and why."""

    label: str
    code: str
    arm: str
    reason: str


def preparer_rows(
    study: Study, arms: Sequence[Arm], codes: Mapping[str, str], assignment: Mapping[str, int]
) -> list[PreparerRow]:
    """The preparer's sheet in code order: each code's arm, substance and stock concentration."""
    rows = []
    for label, code in codes.items():
        arm = arms[assignment[label]]
        rows.append(
            PreparerRow(
                code=code,
                arm=arm.name,
                substance=arm.substance,
                dose_mg_per_kg=arm.dose_mg_per_kg,
                concentration_mg_per_ml=stock_of(arm, study.volume_ml_per_kg),
            )
        )
    return sorted(rows, key=lambda row: row.code)


def write_preparer_sheet(
    path: Path, study: Study, rows: Sequence[PreparerRow], audit_head: ChainHead
) -> Path:
    """Write the unblinded preparer's sheet (CSV, readable by its owner only): it pairs codes with arms.

    ``audit_head`` is the chain head after the event recording this sheet, taken in the same transaction
    (:func:`behavlab.services.audit_anchor.chain_head`); it is written as the sheet's last row.
    """
    return write_csv(
        path,
        PREPARER_HEADER,
        (
            (row.code, row.arm, row.substance, f"{row.dose_mg_per_kg:g}", f"{row.concentration_mg_per_ml:g}")
            for row in rows
        ),
        mode=PRIVATE_FILE_MODE,
        audit_head=audit_head,
    )


def sealing_context(study: Study, roster_hash: str) -> dict[str, str]:
    """What a study's sealed key is bound to: the study's UUID and the hash of the roster randomized."""
    return {"study_uuid": study.uuid, "roster_sha256": roster_hash}


@dataclass(frozen=True)
class OpenedKey:
    """One verified sealed allocation: its sequence, its cohort (None: the whole roster), commitment, map."""

    sequence: int
    cohort_id: int | None
    commitment: str
    unsealed: UnsealedKey


def open_sealed_keys(
    workspace: Workspace,
    study_name: str,
    passphrase: str,
    purpose: AuditAction,
    *,
    sealing_animal: Animal | None = None,
) -> list[OpenedKey]:
    """Decrypt and verify every sealed allocation of the study (one per cohort), in the order drawn.

    With `sealing_animal`, only the allocation of that animal's cohort (or the whole roster's) is opened: each
    opening derives a key from the passphrase, deliberately slow. Each key's commitment is checked against
    the one its randomization published; one passphrase opens them all. Every failure is audited (in its
    own transaction, so it survives the refusal) and reveals nothing.
    """
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        found = session.exec(
            select(SealedKey, Randomization)
            .join(Randomization, col(Randomization.id) == SealedKey.randomization_id)
            .where(SealedKey.study_id == study.id)
            .order_by(col(Randomization.sequence))
        ).all()
        if not found:
            raise NotFoundError(f"study {study_name!r} is not randomized; there is no key to open")
        published = _published_commitments(session, study)
        tampered = _tampered_allocation_rows(session, study, found)
    if tampered:
        _audit_refusal(workspace, study, purpose, "allocation records differ from the audit log")
        raise UnsealError(
            f"the allocation records of {study_name!r} differ from the audit log "
            f"({', '.join(map(str, tampered))}; `behavlab audit verify` names every such row); "
            "nothing was revealed"
        )
    return [
        OpenedKey(
            record.sequence,
            record.cohort_id,
            stored.commitment,
            _unseal_one(workspace, study, purpose, stored, record, published[index : index + 1], passphrase),
        )
        for index, (stored, record) in enumerate(found)
        if sealing_animal is None or record.cohort_id == sealing_animal.cohort_id
    ]


def _unseal_one(
    workspace: Workspace,
    study: Study,
    purpose: AuditAction,
    stored: SealedKey,
    record: Randomization,
    published: Sequence[str],
    passphrase: str,
) -> UnsealedKey:
    """Open one sealed key whose randomization published `published` (empty: none was found)."""
    context = sealing_context(study, record.roster_sha256)
    try:
        sealed = StoredKey.from_json(stored.ciphertext)
        if sealed.commitment != stored.commitment or [stored.commitment] != list(published):
            raise CommitmentMismatchError(
                "the stored commitment differs from the one published at randomization"
            )
        return unseal(sealed, passphrase, context=context)
    except WrongPassphraseError as exc:
        _audit_refusal(workspace, study, purpose, "wrong passphrase or altered key")
        raise UnsealError(f"cannot open the sealed key of {study.name!r}: {exc}") from None
    except SealedKeyError as exc:
        _audit_refusal(workspace, study, purpose, "key or commitment tampered")
        raise UnsealError(
            f"the sealed key of {study.name!r} does not verify: {exc}; nothing was revealed"
        ) from None


def sealed_arm_names(unsealed: UnsealedKey) -> list[str]:
    """The arm names sealed with the map, in arm-index order (the map's values index this list)."""
    arms = unsealed.details.get("arms")
    if not isinstance(arms, list) or not all(isinstance(name, str) for name in arms):
        raise UnsealError("the sealed key holds no list of arm names; nothing was revealed")
    return arms


def arm_names_by_label(unsealed: UnsealedKey) -> dict[str, str]:
    """Each animal's sealed arm name, by its lab ID."""
    names = sealed_arm_names(unsealed)
    return {label: names[index] for label, index in unsealed.assignment.items()}


def reprint_preparer_sheet(workspace: Workspace, study_name: str, passphrase: str, path: Path) -> Path:
    """Write the preparer's sheet again from the sealed key (needs the passphrase; audited)."""
    keys = open_sealed_keys(workspace, study_name, passphrase, AuditAction.PREPARER_SHEET_REPRINT)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        arms_by_name = {arm.name: arm for arm in study_arms(session, study)}
        codes = _codes_by_label(session, study)
        rows = sorted(
            (
                row
                for key in keys
                for row in preparer_rows(
                    study,
                    [arms_by_name[name] for name in sealed_arm_names(key.unsealed)],
                    {label: codes[label] for label in key.unsealed.assignment},
                    key.unsealed.assignment,
                )
            ),
            key=lambda row: row.code,
        )
        record_study_event(session, workspace, study, AuditAction.PREPARER_SHEET_REPRINT, {"file": path.name})
        write_preparer_sheet(path, study, rows, chain_head(session))
    return path


def unblind_animal(
    workspace: Workspace, study_name: str, typed_code: str, reason: str, passphrase: str
) -> EmergencyUnblinding:
    """Reveal one animal's arm for a welfare emergency; recorded with its reason, reported at study end."""
    reason = checked_text(reason.strip(), "unblinding reason")
    if not reason:
        raise InvalidInputError("emergency unblinding needs --reason: why this animal must be unblinded")
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        animal, allocation = find_animal_by_typed_code(session, study, typed_code)
    keys = open_sealed_keys(
        workspace, study_name, passphrase, AuditAction.UNBLIND_EMERGENCY, sealing_animal=animal
    )
    unsealed = next(key.unsealed for key in keys if animal.label in key.unsealed.assignment)
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        arm = arm_names_by_label(unsealed)[animal.label]
        session.add(
            UnmaskEvent(
                study_id=study_id_of(study),
                kind=EMERGENCY_UNMASK,
                animal_id=animal.id,
                reason=reason,
                by=workspace.actor,
            )
        )
        record_event(
            session,
            actor=workspace.actor,
            action=AuditAction.UNBLIND_EMERGENCY,
            entity="animal",
            entity_id=allocation.blind_code,
            study_id=study.id,
            payload={"code": allocation.blind_code, "reason": reason},
        )
    return EmergencyUnblinding(label=animal.label, code=allocation.blind_code, arm=arm, reason=reason)


def _tampered_allocation_rows(
    session: Session, study: Study, keys: Sequence[tuple[SealedKey, Randomization]]
) -> list[RowProblem]:
    """The rows the revealed map is read through (study, codes, record, key) that differ from the audit log.

    Swapping two animals' codes would otherwise reveal each with the other's arm.
    """
    allocation_ids = session.exec(select(Allocation.id).where(Allocation.study_id == study.id)).all()
    return [
        *changed_rows(session, "study", [str(study.id)]),
        *changed_rows(session, "allocation", [str(row_id) for row_id in allocation_ids]),
        *changed_rows(session, "randomization", [str(record.id) for _, record in keys]),
        *changed_rows(session, "sealedkey", [str(stored.id) for stored, _ in keys]),
    ]


def _codes_by_label(session: Session, study: Study) -> dict[str, str]:
    rows = session.exec(
        select(Animal.label, Allocation.blind_code)
        .join(Allocation, col(Allocation.animal_id) == Animal.id)
        .where(Allocation.study_id == study.id)
    ).all()
    return dict(rows)


def _published_commitments(session: Session, study: Study) -> list[str]:
    """The commitments the study's randomizations published, in the order they were committed."""
    payloads = session.exec(
        select(AuditEvent.payload)
        .where(AuditEvent.study_id == study.id, AuditEvent.action == AuditAction.STUDY_RANDOMIZE)
        .order_by(col(AuditEvent.id))
    ).all()
    commitments = [json.loads(payload).get("commitment") for payload in payloads]
    return [commitment if isinstance(commitment, str) else "" for commitment in commitments]


def _audit_refusal(workspace: Workspace, study: Study, purpose: AuditAction, problem: str) -> None:
    with writing(workspace.engine) as session:
        record_study_event(
            session, workspace, study, AuditAction.UNSEAL_REFUSED, {"purpose": purpose, "problem": problem}
        )
