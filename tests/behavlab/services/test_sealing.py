"""Opening the sealed key: the preparer's reprint, emergency unblinding, and refusals that reveal nothing."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from behavlab.audit_head import HEAD_LABEL
from behavlab.db.session import reading
from behavlab.errors import InvalidInputError
from behavlab.models import Randomization, SealedKey
from behavlab.services import (
    RandomizationOptions,
    UnsealError,
    Workspace,
    commit_randomization,
    draft_randomization,
    list_events,
    reprint_preparer_sheet,
    unblind_animal,
)
from cohorts.key_derivation import Argon2idParams
from cohorts.sealed_key import SealedKey as StoredKey
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE, RandomizedStudy
from tests.behavlab.stress_study import create_stress_study


def _actions(workspace: Workspace, study: str) -> list[str]:
    return [event.action for event in list_events(workspace, study)]


def test_emergency_unblinding_reveals_one_animal_and_records_why(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(1)
    revealed = unblind_animal(
        workspace, randomized.name, code.lower(), "seizures after injection", PASSPHRASE
    )
    assert (revealed.code, revealed.arm, revealed.reason) == (code, "ketamine", "seizures after injection")
    (event,) = [e for e in list_events(workspace, randomized.name) if e.action == "unblind.emergency"]
    assert code in event.payload and "seizures" in event.payload
    assert "ketamine" not in event.payload and "vehicle" not in event.payload


def test_a_wrong_passphrase_reveals_nothing_and_is_audited(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    with pytest.raises(UnsealError, match="passphrase is wrong") as caught:
        unblind_animal(workspace, randomized.name, code, "check", "not the passphrase")
    assert "vehicle" not in str(caught.value) and code not in str(caught.value)
    assert _actions(workspace, randomized.name)[-1] == "unseal.refused"
    assert "unblind.emergency" not in _actions(workspace, randomized.name)


def test_a_mistyped_code_is_caught_before_the_key_is_opened(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    typo = code[1] + code[0] + code[2:]
    if typo == code:
        typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    with pytest.raises(InvalidInputError, match=r"check character|characters"):
        unblind_animal(workspace, randomized.name, typo, "check", PASSPHRASE)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("UPDATE sealedkey SET commitment = :fake", r"differ from the audit log \(sealedkey 1 edited"),
        (
            "UPDATE sealedkey SET ciphertext = "
            'replace(ciphertext, \'"ciphertext": "\', \'"ciphertext": "AAAA\')',
            r"differ from the audit log \(sealedkey 1 edited",
        ),
    ],
)
def test_tampering_with_the_stored_key_is_detected(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path, tamper: str, message: str
) -> None:
    with workspace.engine.begin() as connection:
        connection.execute(text(tamper), {"fake": "0" * 64} if ":fake" in tamper else {})
    with pytest.raises(UnsealError, match=message):
        reprint_preparer_sheet(workspace, randomized.name, PASSPHRASE, tmp_path / "sheet.csv")
    assert not (tmp_path / "sheet.csv").exists()
    assert _actions(workspace, randomized.name)[-1] == "unseal.refused"


def test_the_preparer_sheet_can_be_reprinted_with_the_passphrase(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    path = reprint_preparer_sheet(workspace, randomized.name, PASSPHRASE, tmp_path / "again.csv")
    *table, empty, head = path.read_text().splitlines()
    assert empty == "" and head.startswith(HEAD_LABEL)
    rows = [line.split(",") for line in table[1:]]
    arms_by_code = {code: randomized.arms[label] for label, code in randomized.codes.items()}
    assert {row[0]: ("vehicle", "ketamine")[arms_by_code[row[0]]] for row in rows} == {
        row[0]: row[1] for row in rows
    }
    assert _actions(workspace, randomized.name)[-1] == "preparer_sheet.reprint"


def test_unblinding_one_animal_of_a_cohort_derives_only_its_cohort_key(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_stress_study(workspace, tmp_path)
    codes = {}
    for cohort in ("wave 1", "wave 2"):
        options = RandomizationOptions(no_protocol=True, cohort=cohort)
        draft = draft_randomization(workspace, "stress", options)
        codes[cohort] = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes
    derive = Argon2idParams.derive
    derivations: list[bytes] = []

    def counted(params: Argon2idParams, passphrase: str, salt: bytes) -> bytes:
        derivations.append(salt)
        return derive(params, passphrase, salt)

    monkeypatch.setattr(Argon2idParams, "derive", counted)
    code = next(iter(codes["wave 2"].values()))
    revealed = unblind_animal(workspace, "stress", code, "welfare check", PASSPHRASE)
    assert revealed.code == code and revealed.arm in {"vehicle", "ketamine"}
    with reading(workspace.engine) as session:
        record = session.exec(select(Randomization).where(Randomization.sequence == 2)).one()
        stored = session.exec(select(SealedKey).where(SealedKey.randomization_id == record.id)).one()
    assert derivations == [StoredKey.from_json(stored.ciphertext).salt]
