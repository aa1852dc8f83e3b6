"""The sealed key: the animal -> arm map encrypted under a passphrase, bound to its study, and a commitment.

`seal` derives a 256-bit key from the passphrase (`cohorts.key_derivation`: Argon2id, fresh random salt) and
encrypts the map, together with a random commitment salt and the sealed details, with AES-256-GCM (fresh
random nonce). The associated data binds the header (format, key-derivation parameters, salt) and the
caller's context (the study ID and roster hash, say), so a changed parameter fails authentication like a
changed ciphertext byte, and a key copied into another study is refused there: `unseal` builds the
associated data from the context the caller *expects*, never from what the stored key claims. The plaintext
may be padded to a length fixed in advance (`pad_to`, from `plaintext_length` of the largest contents the
design allows), so the size of the ciphertext says nothing about the allocation.

The commitment (`cohorts.commitment`) is stored and published before dosing; its salt, hidden in the
ciphertext, keeps anyone from testing guessed maps against it until unmasking, when `unseal` decrypts and
verifies it and `commitment_opening` gives what is published so that anyone can recompute it.

Formats: ``cohorts.sealed-key/2`` (written now: Argon2id or scrypt, context, padding) and
``cohorts.sealed-key/1`` (scrypt, no context; still opened). Callers strip a trailing newline from a
passphrase file themselves. `seal` refuses only passphrases shorter than
`cohorts.passphrase.MIN_PASSPHRASE_CHARS` real characters; the strength estimate is
`cohorts.passphrase.check_passphrase`.

Notes
-----
AES-GCM is NIST SP 800-38D. All primitives come from the `cryptography` package; nothing here implements
one.
"""

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cohorts.commitment import (
    COMMITMENT_SALT_BYTES,
    CommitmentOpening,
    allocation_commitment,
    canonical_assignment,
    verify_commitment,
)
from cohorts.key_derivation import (
    Argon2idParams,
    KdfParams,
    ScryptParams,
    kdf_from_record,
    require_guidance,
)
from cohorts.passphrase import check_passphrase_length
from cohorts.sealing_errors import SealedKeyContextError, SealedKeyFormatError, WrongPassphraseError

SealedKeyFormat = Literal["cohorts.sealed-key/1", "cohorts.sealed-key/2"]
FORMAT: Final[SealedKeyFormat] = "cohorts.sealed-key/2"
FORMAT_V1: Final[SealedKeyFormat] = "cohorts.sealed-key/1"
FORMATS: Final[tuple[SealedKeyFormat, ...]] = (FORMAT_V1, FORMAT)
SALT_BYTES = 16
NONCE_BYTES = 12


@dataclass(frozen=True)
class SealedKey:
    """What is stored: the encrypted map, the public commitment and the context it was sealed for.

    Serializable with `to_json`. `context` is kept in the clear only to tell a key moved from another
    study apart from a wrong passphrase; what binds it is the associated data built at `unseal`.
    """

    kdf: KdfParams
    salt: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    commitment: str
    context: Mapping[str, str] = field(default_factory=dict)
    format: SealedKeyFormat = FORMAT

    def __post_init__(self) -> None:
        object.__setattr__(self, "context", MappingProxyType(_checked_context(self.context)))
        problems = []
        if self.format not in FORMATS:
            problems.append(f"format {self.format!r} (accepted: {', '.join(FORMATS)})")
        elif self.format == FORMAT_V1 and (not isinstance(self.kdf, ScryptParams) or self.context):
            problems.append(f"{FORMAT_V1} keys use scrypt and have no context")
        if len(self.salt) < SALT_BYTES:
            problems.append(f"salt of {len(self.salt)} bytes (accepted: at least {SALT_BYTES})")
        if len(self.nonce) != NONCE_BYTES:
            problems.append(f"nonce of {len(self.nonce)} bytes (accepted: {NONCE_BYTES})")
        if len(self.commitment) != 64 or any(char not in "0123456789abcdef" for char in self.commitment):
            problems.append("commitment not 64 lower-case hex digits")
        if problems:
            raise SealedKeyFormatError("sealed key refused: " + "; ".join(problems))

    def to_json(self) -> str:
        """The sealed key as a JSON document (binary fields base64-encoded)."""
        document: dict[str, object] = {
            "format": self.format,
            "kdf": self.kdf.describe(),
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
            "commitment": self.commitment,
        }
        if self.format == FORMAT:
            document["context"] = dict(self.context)
        return json.dumps(document, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "SealedKey":
        """Read a sealed key written by `to_json` (either format), refusing anything else."""
        try:
            document = json.loads(text)
            version = document["format"]
            if version not in FORMATS:
                raise SealedKeyFormatError(f"not a sealed key of format {' or '.join(FORMATS)}")
            return cls(
                kdf=kdf_from_record(document["kdf"]),
                salt=_unb64(document["salt"]),
                nonce=_unb64(document["nonce"]),
                ciphertext=_unb64(document["ciphertext"]),
                commitment=document["commitment"],
                context=document["context"] if version == FORMAT else {},
                format=version,
            )
        except (json.JSONDecodeError, binascii.Error, KeyError, TypeError, AttributeError) as error:
            raise SealedKeyFormatError(
                f"sealed key is not valid {' or '.join(FORMATS)} JSON ({type(error).__name__})"
            ) from None


@dataclass(frozen=True)
class UnsealedKey:
    """What unsealing reveals: the map (animal ID -> arm index), commitment salt and sealed details."""

    assignment: Mapping[str, int] = field(repr=False)
    commitment_salt: bytes = field(repr=False)
    details: Mapping[str, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in ("assignment", "details"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def commitment_opening(unsealed: UnsealedKey, commitment: str) -> CommitmentOpening:
    """The opening of `commitment` to publish at unmasking, verified against the unsealed map first."""
    verify_commitment(unsealed.assignment, unsealed.commitment_salt, commitment)
    return CommitmentOpening(
        commitment=commitment,
        salt=unsealed.commitment_salt.hex(),
        allocation=canonical_assignment(unsealed.assignment).decode("utf-8"),
    )


def plaintext_length(assignment: Mapping[str, int], details: Mapping[str, object] | None = None) -> int:
    """The length in bytes of the unpadded plaintext `seal` encrypts for these contents.

    The commitment salt has a fixed length, so this depends on the map and details only; the largest value
    over every map and details a design can produce is the `pad_to` that makes all its keys one size.
    """
    return len(_plaintext(assignment, bytes(COMMITMENT_SALT_BYTES), details, 0))


def seal(
    assignment: Mapping[str, int],
    passphrase: str,
    kdf: KdfParams | None = None,
    details: Mapping[str, object] | None = None,
    *,
    context: Mapping[str, str] | None = None,
    pad_to: int | None = None,
) -> SealedKey:
    """Encrypt the animal -> arm map under `passphrase` and commit to it; fresh salts and nonce each call.

    Parameters
    ----------
    assignment
        Animal ID -> arm index (0-based).
    passphrase
        The key holder's passphrase; at least `MIN_PASSPHRASE_CHARS` real characters.
    kdf
        Key-derivation parameters (default `Argon2idParams()`); refused below the guidance unless marked
        ``for_tests_only``.
    details
        JSON-ready contents encrypted with the map but not committed to: what must stay secret until
        unmasking without being part of the allocation itself, such as the seed that would regenerate it.
    context
        What the key belongs to (e.g. ``{"study_uuid": ..., "roster_sha256": ...}``): bound into the
        associated data, so `unseal` refuses the key under any other context.
    pad_to
        Pad the plaintext to exactly this many bytes (see `plaintext_length`).

    Returns
    -------
    SealedKey
        The ciphertext with its public commitment, ready to store (`SealedKey.to_json`).

    Raises
    ------
    PassphraseTooShortError
        The passphrase has too few real characters.
    ValueError
        An empty map, key-derivation parameters below the guidance, or contents longer than `pad_to`.
    """
    check_passphrase_length(passphrase)
    if not assignment:
        raise ValueError("there is no allocation to seal")
    kdf = Argon2idParams() if kdf is None else kdf
    require_guidance(kdf)
    bound = _checked_context(context or {})
    commitment_salt = secrets.token_bytes(COMMITMENT_SALT_BYTES)
    padding = _padding(assignment, details, pad_to)
    plaintext = _plaintext(assignment, commitment_salt, details, padding)
    salt = secrets.token_bytes(SALT_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    associated = _associated_data(FORMAT, kdf, salt, bound)
    ciphertext = AESGCM(kdf.derive(passphrase, salt)).encrypt(nonce, plaintext, associated)
    commitment = allocation_commitment(assignment, commitment_salt)
    return SealedKey(kdf, salt, nonce, ciphertext, commitment, context=bound, format=FORMAT)


def unseal(sealed: SealedKey, passphrase: str, *, context: Mapping[str, str] | None = None) -> UnsealedKey:
    """Decrypt the map and verify it against the stored commitment; nothing is revealed on any failure.

    Parameters
    ----------
    sealed
        The stored sealed key (`SealedKey.from_json`).
    passphrase
        The key holder's passphrase.
    context
        What the caller expects the key to belong to (empty when not given); a ``cohorts.sealed-key/1`` key
        predates contexts and opens under any.

    Returns
    -------
    UnsealedKey
        The map animal ID -> arm index, the commitment salt and the sealed details.

    Raises
    ------
    SealedKeyContextError
        The key names another context.
    WrongPassphraseError
        Decryption failed: wrong passphrase, altered key, or a context that was edited to match.
    CommitmentMismatchError
        The map does not match the commitment.
    """
    expected = _checked_context(context or {})
    if sealed.format == FORMAT_V1:
        associated = _associated_data(FORMAT_V1, sealed.kdf, sealed.salt, {})
    else:
        differing = sorted(set(expected.items()) ^ set(sealed.context.items()))
        if differing:
            fields = sorted({name for name, _ in differing})
            raise SealedKeyContextError(
                "this sealed key was made for another study or roster; nothing was revealed "
                f"(differs in: {', '.join(fields)})"
            )
        associated = _associated_data(FORMAT, sealed.kdf, sealed.salt, expected)
    key = sealed.kdf.derive(passphrase, sealed.salt)
    try:
        plaintext = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, associated)
    except InvalidTag:
        raise WrongPassphraseError(
            "the passphrase is wrong, or the sealed key was altered or truncated; nothing was revealed"
        ) from None
    content = json.loads(plaintext)
    unsealed = UnsealedKey(
        content["assignment"], bytes.fromhex(content["commitment_salt"]), content.get("details", {})
    )
    verify_commitment(unsealed.assignment, unsealed.commitment_salt, sealed.commitment)
    return unsealed


def _padding(assignment: Mapping[str, int], details: Mapping[str, object] | None, pad_to: int | None) -> int:
    """The spaces that pad the plaintext to exactly `pad_to` bytes (none without `pad_to`)."""
    if pad_to is None:
        return 0
    padding = pad_to - plaintext_length(assignment, details)
    if padding < 0:
        raise ValueError(
            f"the sealed contents take {pad_to - padding} bytes, more than pad_to={pad_to}; accepted: a "
            "pad size computed with plaintext_length from the largest contents the design allows"
        )
    return padding


def _plaintext(
    assignment: Mapping[str, int],
    commitment_salt: bytes,
    details: Mapping[str, object] | None,
    padding: int,
) -> bytes:
    """The plaintext sealed: map, commitment salt, details and `padding` spaces, as UTF-8 JSON."""
    return json.dumps(
        {
            "assignment": json.loads(canonical_assignment(assignment)),
            "commitment_salt": commitment_salt.hex(),
            "details": dict(details or {}),
            "padding": " " * padding,
        },
        sort_keys=True,
        ensure_ascii=False,
    ).encode("utf-8")


def _associated_data(version: str, kdf: KdfParams, salt: bytes, context: Mapping[str, str]) -> bytes:
    """The associated data bound to the ciphertext: format, key-derivation parameters, salt and context."""
    if version == FORMAT_V1:
        if not isinstance(kdf, ScryptParams):
            raise SealedKeyFormatError(f"{FORMAT_V1} keys use scrypt")
        fields: dict[str, object] = {
            "format": FORMAT_V1,
            "kdf": "scrypt",
            "n": kdf.n,
            "r": kdf.r,
            "p": kdf.p,
            "salt": salt.hex(),
        }
    else:
        fields = {"format": version, "kdf": kdf.describe(), "salt": salt.hex(), "context": dict(context)}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")


def _checked_context(context: Mapping[str, str]) -> dict[str, str]:
    """The context as a plain dict, refusing anything but text keys and values."""
    if not isinstance(context, Mapping) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in context.items()
    ):
        raise SealedKeyFormatError("a sealed key's context must map text names to text values")
    return dict(context)


def _b64(data: bytes) -> str:
    """Standard base64 text of `data`."""
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    """Strictly decoded base64 (invalid characters are an error, not skipped)."""
    return base64.b64decode(text, validate=True)
