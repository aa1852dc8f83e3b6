"""The sealed key: Argon2id round trip, old scrypt keys, context binding, padding, the commitment opening,
wrong passphrase, damaged ciphertext, swapped commitment, bounded parameters and format checks."""

import base64
import dataclasses
import hashlib
import json
import secrets
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cohorts.commitment import allocation_commitment, verify_commitment
from cohorts.key_derivation import Argon2idParams, ScryptParams
from cohorts.sealed_key import (
    FORMAT,
    FORMAT_V1,
    SealedKey,
    commitment_opening,
    plaintext_length,
    seal,
    unseal,
)
from cohorts.sealing_errors import (
    CommitmentMismatchError,
    PassphraseTooShortError,
    SealedKeyContextError,
    SealedKeyError,
    SealedKeyFormatError,
    WrongPassphraseError,
)

FAST = Argon2idParams.fast_for_tests()
PASSPHRASE = "tundra lantern quiver mosaic"
ASSIGNMENT = {"M01": 0, "M02": 1, "F01": 1, "F02": 0, "Ülla": 1}
CONTEXT = {"study_uuid": "6f1c2d0e-8a4b-4c1e-9f3a-2b7d5e9c0a11", "roster_sha256": "ab" * 32}


@pytest.fixture(scope="module")
def sealed() -> SealedKey:
    return seal(ASSIGNMENT, PASSPHRASE, FAST, context=CONTEXT)


def assert_reveals_nothing(error: BaseException) -> None:
    """No animal ID and no passphrase in an error message."""
    text = str(error)
    assert PASSPHRASE not in text
    assert not any(animal in text for animal in ASSIGNMENT)


def v1_key(assignment: dict[str, int], passphrase: str, details: dict[str, object]) -> str:
    """A cohorts.sealed-key/1 document exactly as the previous version wrote it (scrypt, no context)."""
    n, r, p = 2**10, 8, 1
    salt, nonce, commitment_salt = secrets.token_bytes(16), secrets.token_bytes(12), secrets.token_bytes(32)
    plaintext = json.dumps(
        {"assignment": assignment, "commitment_salt": commitment_salt.hex(), "details": details},
        sort_keys=True,
        ensure_ascii=False,
    ).encode("utf-8")
    header = json.dumps(
        {"format": FORMAT_V1, "kdf": "scrypt", "n": n, "r": r, "p": p, "salt": salt.hex()},
        sort_keys=True,
        separators=(",", ":"),
    ).encode("ascii")
    key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, header)

    def encode(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return json.dumps(
        {
            "format": FORMAT_V1,
            "kdf": {"name": "scrypt", "n": n, "r": r, "p": p},
            "salt": encode(salt),
            "nonce": encode(nonce),
            "ciphertext": encode(ciphertext),
            "commitment": allocation_commitment(assignment, commitment_salt),
        }
    )


def test_round_trip_through_json_reveals_the_map_and_verifies_it(sealed: SealedKey) -> None:
    restored = SealedKey.from_json(sealed.to_json())
    assert restored == sealed
    assert restored.format == FORMAT and dict(restored.context) == CONTEXT
    unsealed = unseal(restored, PASSPHRASE, context=CONTEXT)
    assert dict(unsealed.assignment) == ASSIGNMENT
    verify_commitment(unsealed.assignment, unsealed.commitment_salt, sealed.commitment)
    assert allocation_commitment(ASSIGNMENT, unsealed.commitment_salt) == sealed.commitment


def test_new_seals_use_argon2id_at_current_guidance_with_parameters_stored() -> None:
    assert Argon2idParams() == Argon2idParams(memory_kib=65536, iterations=3, lanes=4)
    key = seal(ASSIGNMENT, PASSPHRASE)
    document = json.loads(key.to_json())
    assert document["format"] == "cohorts.sealed-key/2"
    assert document["kdf"] == {
        "name": "argon2id",
        "version": 19,
        "memory_kib": 65536,
        "iterations": 3,
        "lanes": 4,
    }
    assert dict(unseal(SealedKey.from_json(key.to_json()), PASSPHRASE).assignment) == ASSIGNMENT


def test_parameters_below_guidance_are_refused_for_new_seals_unless_marked_for_tests() -> None:
    for weak in (Argon2idParams(memory_kib=8, iterations=1, lanes=1), ScryptParams(n=2**15)):
        with pytest.raises(ValueError, match="below current guidance"):
            seal(ASSIGNMENT, PASSPHRASE, weak)
    fast_scrypt = ScryptParams(n=2**10, for_tests_only=True)
    key = seal(ASSIGNMENT, PASSPHRASE, fast_scrypt, context=CONTEXT)
    assert json.loads(key.to_json())["kdf"] == {"name": "scrypt", "n": 2**10, "r": 8, "p": 1}
    assert (
        dict(unseal(SealedKey.from_json(key.to_json()), PASSPHRASE, context=CONTEXT).assignment) == ASSIGNMENT
    )
    assert ScryptParams().n == 2**17 and ScryptParams().meets_guidance


def test_a_format_1_scrypt_key_still_opens_under_any_context() -> None:
    details = {"seed": 20261130, "block_sizes": {"sex=F": [2, 4]}, "arms": ["vehicle", "ketamine"]}
    stored = SealedKey.from_json(v1_key(ASSIGNMENT, PASSPHRASE, details))
    assert stored.format == FORMAT_V1 and isinstance(stored.kdf, ScryptParams) and not stored.context
    for context in (None, CONTEXT):
        unsealed = unseal(stored, PASSPHRASE, context=context)
        assert dict(unsealed.assignment) == ASSIGNMENT and dict(unsealed.details) == details
    assert SealedKey.from_json(stored.to_json()) == stored
    with pytest.raises(WrongPassphraseError):
        unseal(stored, "tundra lantern quiver mosaics")


def test_a_key_moved_to_another_study_or_roster_is_refused(sealed: SealedKey) -> None:
    for other in (
        {**CONTEXT, "study_uuid": "0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f00"},
        {**CONTEXT, "roster_sha256": "cd" * 32},
        {"study_uuid": CONTEXT["study_uuid"]},
        None,
    ):
        with pytest.raises(SealedKeyContextError, match="made for another study or roster") as caught:
            unseal(sealed, PASSPHRASE, context=other)
        assert_reveals_nothing(caught.value)


def test_a_stored_context_edited_to_match_fails_authentication(sealed: SealedKey) -> None:
    elsewhere = {**CONTEXT, "study_uuid": "0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f00"}
    relabelled = SealedKey.from_json(json.dumps({**json.loads(sealed.to_json()), "context": elsewhere}))
    with pytest.raises(WrongPassphraseError, match="nothing was revealed"):
        unseal(relabelled, PASSPHRASE, context=elsewhere)


def test_details_are_sealed_with_the_map_but_not_committed_to() -> None:
    details = {"seed": 123456789, "block_sizes": {"F": [2, 4]}}
    with_details = seal(ASSIGNMENT, PASSPHRASE, FAST, details=details)
    assert "123456789" not in with_details.to_json()
    unsealed = unseal(with_details, PASSPHRASE)
    assert dict(unsealed.details) == details
    assert allocation_commitment(ASSIGNMENT, unsealed.commitment_salt) == with_details.commitment


def test_padding_makes_keys_of_different_contents_the_same_size() -> None:
    short = {"seed": 1, "arms": ["a", "b"]}
    long = {"seed": 2**128 - 1, "arms": ["vehicle", "ketamine"], "block_sizes": {"sex=F": [2, 4, 4, 2]}}
    assert plaintext_length(ASSIGNMENT, short) < plaintext_length(ASSIGNMENT, long)
    pad_to = plaintext_length(ASSIGNMENT, long) + 40
    first = seal(ASSIGNMENT, PASSPHRASE, FAST, details=short, pad_to=pad_to)
    second = seal(ASSIGNMENT, PASSPHRASE, FAST, details=long, pad_to=pad_to)
    assert len(first.ciphertext) == len(second.ciphertext) == pad_to + 16
    assert len(first.to_json()) == len(second.to_json())
    assert dict(unseal(first, PASSPHRASE).details) == short
    unpadded = seal(ASSIGNMENT, PASSPHRASE, FAST, details=short)
    assert len(unpadded.ciphertext) == plaintext_length(ASSIGNMENT, short) + 16
    exact = seal(ASSIGNMENT, PASSPHRASE, FAST, details=long, pad_to=plaintext_length(ASSIGNMENT, long))
    assert len(exact.ciphertext) == plaintext_length(ASSIGNMENT, long) + 16
    with pytest.raises(ValueError, match="more than pad_to=10"):
        seal(ASSIGNMENT, PASSPHRASE, FAST, details=long, pad_to=10)


def test_the_commitment_opening_recomputes_the_commitment_with_its_recipe(sealed: SealedKey) -> None:
    unsealed = unseal(sealed, PASSPHRASE, context=CONTEXT)
    opening = commitment_opening(unsealed, sealed.commitment)
    assert opening.salt == unsealed.commitment_salt.hex() and len(opening.salt) == 64
    assert json.loads(opening.allocation) == ASSIGNMENT
    assert opening.as_dict() == {
        "commitment": sealed.commitment,
        "salt": opening.salt,
        "allocation": opening.allocation,
        "recipe": opening.recipe,
    }
    assert "SALT_HEX" in opening.recipe and "cohorts allocation commitment v1" in opening.recipe
    recomputed = hashlib.sha256(
        b"cohorts allocation commitment v1\x00" + bytes.fromhex(opening.salt) + opening.allocation.encode()
    ).hexdigest()
    assert recomputed == sealed.commitment
    command = opening.command().replace("python3 -c", f"{sys.executable} -c", 1)
    result = subprocess.run(
        ["/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONUTF8": "1"},
    )
    assert result.stdout.strip() == sealed.commitment
    with pytest.raises(CommitmentMismatchError):
        commitment_opening(unsealed, "0" * 64)


def test_stored_form_holds_no_animal_and_no_arm(sealed: SealedKey) -> None:
    document = json.loads(sealed.to_json())
    assert document["kdf"] == {
        "name": "argon2id",
        "version": 19,
        "memory_kib": 8,
        "iterations": 1,
        "lanes": 1,
    }
    assert document["context"] == CONTEXT
    assert not any(animal in sealed.to_json() for animal in ASSIGNMENT)
    assert "M01" not in repr(sealed)


def test_each_seal_uses_fresh_salts_and_nonce() -> None:
    first, second = seal(ASSIGNMENT, PASSPHRASE, FAST), seal(ASSIGNMENT, PASSPHRASE, FAST)
    assert first.salt != second.salt and first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext and first.commitment != second.commitment


def test_wrong_passphrase_is_refused_without_revealing_anything(sealed: SealedKey) -> None:
    with pytest.raises(WrongPassphraseError, match="nothing was revealed") as caught:
        unseal(sealed, "tundra lantern quiver mosaic staple", context=CONTEXT)
    assert_reveals_nothing(caught.value)


@pytest.mark.parametrize("cut", [1, 16, len(ASSIGNMENT) * 8])
def test_truncated_ciphertext_is_detected(sealed: SealedKey, cut: int) -> None:
    truncated = dataclasses.replace(sealed, ciphertext=sealed.ciphertext[:-cut])
    with pytest.raises(WrongPassphraseError):
        unseal(truncated, PASSPHRASE, context=CONTEXT)


def test_any_flipped_ciphertext_byte_is_detected(sealed: SealedKey) -> None:
    for position in range(0, len(sealed.ciphertext), 7):
        damaged = bytearray(sealed.ciphertext)
        damaged[position] ^= 0x01
        with pytest.raises(WrongPassphraseError):
            unseal(dataclasses.replace(sealed, ciphertext=bytes(damaged)), PASSPHRASE, context=CONTEXT)


def test_changed_header_fields_fail_authentication(sealed: SealedKey) -> None:
    for tampered in (
        dataclasses.replace(sealed, nonce=bytes(12)),
        dataclasses.replace(sealed, salt=bytes(16)),
        dataclasses.replace(sealed, kdf=Argon2idParams(memory_kib=16, iterations=1, lanes=1)),
        dataclasses.replace(sealed, kdf=Argon2idParams(memory_kib=8, iterations=2, lanes=1)),
    ):
        with pytest.raises(WrongPassphraseError):
            unseal(tampered, PASSPHRASE, context=CONTEXT)


def test_swapped_commitment_is_detected(sealed: SealedKey) -> None:
    other = seal({**ASSIGNMENT, "M01": 1}, PASSPHRASE, FAST, context=CONTEXT)
    swapped = dataclasses.replace(sealed, commitment=other.commitment)
    with pytest.raises(CommitmentMismatchError) as caught:
        unseal(swapped, PASSPHRASE, context=CONTEXT)
    assert_reveals_nothing(caught.value)
    unsealed = unseal(sealed, PASSPHRASE, context=CONTEXT)
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


@pytest.mark.parametrize(
    ("passphrase", "real"),
    [("s3cr3t!", 7), ("password", 8), (" " * 16, 0), ("\u200b" * 16, 0), ("pass\u202eword \u200b\t99", 10)],
)
def test_short_passphrases_are_refused_at_sealing_counting_real_characters(
    passphrase: str, real: int
) -> None:
    with pytest.raises(PassphraseTooShortError, match=f"has {real} real characters .*accepted: at least 12"):
        seal(ASSIGNMENT, passphrase, FAST)


def test_passphrase_unicode_forms_derive_the_same_key() -> None:
    composed, decomposed = "caf\u00e9 au lait tundra", "cafe\u0301 au lait tundra"
    sealed = seal(ASSIGNMENT, composed, FAST)
    assert dict(unseal(sealed, decomposed).assignment) == ASSIGNMENT


@pytest.mark.parametrize(
    "kdf",
    [
        {"name": "scrypt", "n": 3, "r": 8, "p": 1},
        {"name": "scrypt", "n": 2**30, "r": 8, "p": 1},
        {"name": "argon2id", "version": 19, "memory_kib": 2 * 1024 * 1024, "iterations": 3, "lanes": 4},
        {"name": "argon2id", "version": 19, "memory_kib": 65536, "iterations": 10**6, "lanes": 4},
        {"name": "argon2id", "version": 19, "memory_kib": 65536, "iterations": 3, "lanes": 10**4},
        {"name": "argon2id", "version": 19, "memory_kib": 4, "iterations": 3, "lanes": 1},
        {"name": "argon2id", "version": 16, "memory_kib": 65536, "iterations": 3, "lanes": 4},
        {"name": "argon2id", "version": 19, "memory_kib": "65536", "iterations": 3, "lanes": 4},
        {"name": "pbkdf2", "iterations": 1000},
    ],
)
def test_hostile_or_unknown_key_derivation_parameters_are_refused_when_read(
    sealed: SealedKey, kdf: dict[str, object]
) -> None:
    document = {**json.loads(sealed.to_json()), "kdf": kdf}
    with pytest.raises(SealedKeyFormatError):
        SealedKey.from_json(json.dumps(document))


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": "other/1"}),
        json.dumps({"format": "cohorts.sealed-key/1", "kdf": {"name": "scrypt", "n": 3, "r": 8, "p": 1}}),
    ],
)
def test_malformed_stored_keys_are_refused(text: str) -> None:
    with pytest.raises(SealedKeyFormatError):
        SealedKey.from_json(text)


def test_bad_base64_field_lengths_and_contexts_are_refused(sealed: SealedKey) -> None:
    document = json.loads(sealed.to_json())
    for change in (
        {"nonce": "***"},
        {"nonce": "AAAA"},
        {"salt": "AAAA"},
        {"commitment": "abc"},
        {"context": ["study_uuid"]},
        {"context": {"study_uuid": 7}},
        {"format": FORMAT_V1},
    ):
        with pytest.raises(SealedKeyFormatError):
            SealedKey.from_json(json.dumps({**document, **change}))
    with pytest.raises(SealedKeyError):
        unseal(sealed, PASSPHRASE, context={"study_uuid": 7})  # type: ignore[dict-item]
