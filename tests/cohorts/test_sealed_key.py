"""The sealed key: round trip, wrong passphrase, damaged ciphertext, swapped commitment, format checks."""

import dataclasses
import json

import pytest

from cohorts.sealed_key import (
    CommitmentMismatchError,
    PassphraseTooShortError,
    ScryptParams,
    SealedKey,
    SealedKeyFormatError,
    WrongPassphraseError,
    allocation_commitment,
    seal,
    unseal,
    verify_commitment,
)

FAST = ScryptParams(n=2**10, r=8, p=1)
PASSPHRASE = "correct horse battery"
ASSIGNMENT = {"M01": 0, "M02": 1, "F01": 1, "F02": 0, "Ülla": 1}


@pytest.fixture(scope="module")
def sealed() -> SealedKey:
    return seal(ASSIGNMENT, PASSPHRASE, FAST)


def assert_reveals_nothing(error: BaseException) -> None:
    """No animal ID and no passphrase in an error message."""
    text = str(error)
    assert PASSPHRASE not in text
    assert not any(animal in text for animal in ASSIGNMENT)


def test_round_trip_through_json_reveals_the_map_and_verifies_it(sealed: SealedKey) -> None:
    restored = SealedKey.from_json(sealed.to_json())
    assert restored == sealed
    unsealed = unseal(restored, PASSPHRASE)
    assert dict(unsealed.assignment) == ASSIGNMENT
    verify_commitment(unsealed.assignment, unsealed.commitment_salt, sealed.commitment)
    assert allocation_commitment(ASSIGNMENT, unsealed.commitment_salt) == sealed.commitment


def test_details_are_sealed_with_the_map_but_not_committed_to() -> None:
    details = {"seed": 123456789, "block_sizes": {"F": [2, 4]}}
    with_details = seal(ASSIGNMENT, PASSPHRASE, FAST, details=details)
    assert "123456789" not in with_details.to_json()
    unsealed = unseal(with_details, PASSPHRASE)
    assert dict(unsealed.details) == details
    assert allocation_commitment(ASSIGNMENT, unsealed.commitment_salt) == with_details.commitment


def test_stored_form_holds_no_animal_and_no_arm(sealed: SealedKey) -> None:
    document = json.loads(sealed.to_json())
    assert document["kdf"] == {"name": "scrypt", "n": 2**10, "r": 8, "p": 1}
    assert not any(animal in sealed.to_json() for animal in ASSIGNMENT)
    assert "M01" not in repr(sealed)


def test_each_seal_uses_fresh_salts_and_nonce() -> None:
    first, second = seal(ASSIGNMENT, PASSPHRASE, FAST), seal(ASSIGNMENT, PASSPHRASE, FAST)
    assert first.salt != second.salt and first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext and first.commitment != second.commitment


def test_wrong_passphrase_is_refused_without_revealing_anything(sealed: SealedKey) -> None:
    with pytest.raises(WrongPassphraseError, match="nothing was revealed") as caught:
        unseal(sealed, "correct horse battery staple")
    assert_reveals_nothing(caught.value)


@pytest.mark.parametrize("cut", [1, 16, len(ASSIGNMENT) * 8])
def test_truncated_ciphertext_is_detected(sealed: SealedKey, cut: int) -> None:
    truncated = dataclasses.replace(sealed, ciphertext=sealed.ciphertext[:-cut])
    with pytest.raises(WrongPassphraseError):
        unseal(truncated, PASSPHRASE)


def test_any_flipped_ciphertext_byte_is_detected(sealed: SealedKey) -> None:
    for position in range(0, len(sealed.ciphertext), 7):
        damaged = bytearray(sealed.ciphertext)
        damaged[position] ^= 0x01
        with pytest.raises(WrongPassphraseError):
            unseal(dataclasses.replace(sealed, ciphertext=bytes(damaged)), PASSPHRASE)


def test_changed_header_fields_fail_authentication(sealed: SealedKey) -> None:
    for tampered in (
        dataclasses.replace(sealed, nonce=bytes(12)),
        dataclasses.replace(sealed, salt=bytes(16)),
        dataclasses.replace(sealed, kdf=ScryptParams(n=2**11, r=8, p=1)),
    ):
        with pytest.raises(WrongPassphraseError):
            unseal(tampered, PASSPHRASE)


def test_swapped_commitment_is_detected(sealed: SealedKey) -> None:
    other = seal({**ASSIGNMENT, "M01": 1}, PASSPHRASE, FAST)
    swapped = dataclasses.replace(sealed, commitment=other.commitment)
    with pytest.raises(CommitmentMismatchError) as caught:
        unseal(swapped, PASSPHRASE)
    assert_reveals_nothing(caught.value)
    unsealed = unseal(sealed, PASSPHRASE)
    with pytest.raises(CommitmentMismatchError):
        verify_commitment(unsealed.assignment, unsealed.commitment_salt, other.commitment)
    with pytest.raises(CommitmentMismatchError):
        verify_commitment({**ASSIGNMENT, "F02": 1}, unsealed.commitment_salt, sealed.commitment)
    with pytest.raises(CommitmentMismatchError):
        verify_commitment(ASSIGNMENT, bytes(32), sealed.commitment)


def test_commitment_ignores_map_order() -> None:
    salt = bytes(range(32))
    assert allocation_commitment(ASSIGNMENT, salt) == allocation_commitment(
        dict(reversed(ASSIGNMENT.items())), salt
    )


def test_short_passphrase_is_refused_at_sealing() -> None:
    with pytest.raises(PassphraseTooShortError, match="has 7 characters; accepted: at least 8") as caught:
        seal(ASSIGNMENT, "s3cr3t!", FAST)
    assert "s3cr3t!" not in str(caught.value)


def test_passphrase_unicode_forms_derive_the_same_key() -> None:
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    sealed = seal(ASSIGNMENT, composed, FAST)
    assert dict(unseal(sealed, decomposed).assignment) == ASSIGNMENT


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": "other/1"}),
        json.dumps({"format": "cohorts.sealed-key/1", "kdf": {"name": "scrypt", "n": 3, "r": 8, "p": 1}}),
        json.dumps({"format": "cohorts.sealed-key/1", "kdf": {"name": "scrypt", "n": 2**30, "r": 8, "p": 1}}),
    ],
)
def test_malformed_stored_keys_are_refused(text: str) -> None:
    with pytest.raises(SealedKeyFormatError):
        SealedKey.from_json(text)


def test_bad_base64_and_field_lengths_are_refused(sealed: SealedKey) -> None:
    document = json.loads(sealed.to_json())
    for change in ({"nonce": "***"}, {"nonce": "AAAA"}, {"salt": "AAAA"}, {"commitment": "abc"}):
        with pytest.raises(SealedKeyFormatError):
            SealedKey.from_json(json.dumps({**document, **change}))
