"""The sealed key: the animal -> arm map encrypted under a passphrase, and a commitment to it.

`seal` derives a 256-bit key from the passphrase with scrypt (fresh random salt) and encrypts the map,
together with a random commitment salt, with AES-256-GCM (fresh random nonce). The header (format, scrypt
parameters, salt) is bound to the ciphertext as associated data, so a changed parameter fails authentication
like a changed ciphertext byte. The commitment, SHA-256 over the canonical map and the commitment salt, is
stored and published before dosing; the salt, hidden in the ciphertext, keeps anyone from testing guessed
maps against the commitment until unmasking, when `unseal` decrypts and verifies it.

Passphrases are used exactly as given after Unicode NFC normalization (so the same passphrase typed on any
system derives the same key); callers strip a trailing newline from a passphrase file themselves.

Notes
-----
scrypt is the memory-hard key-derivation function of Percival (2009) and RFC 7914; N = 2**15, r = 8, p = 1
uses 32 MiB and about a quarter of a second, proportionate for a key opened once per study. AES-GCM is NIST
SP 800-38D. Both come from the `cryptography` package; nothing here implements a primitive. The minimum
passphrase length of 8 characters follows NIST SP 800-63B section 5.1.1.2.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "cohorts.sealed-key/1"
MIN_PASSPHRASE_CHARS = 8
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
COMMITMENT_SALT_BYTES = 32
MAX_SCRYPT_MEMORY_BYTES = 1 << 30
_COMMITMENT_DOMAIN = b"cohorts allocation commitment v1\x00"


class SealedKeyError(ValueError):
    """Base of every refusal from this module; messages never contain any part of the map."""


class PassphraseTooShortError(SealedKeyError):
    """A passphrase chosen for sealing is shorter than the minimum."""


class WrongPassphraseError(SealedKeyError):
    """Decryption failed: the passphrase is wrong, or the sealed key was altered or truncated."""


class CommitmentMismatchError(SealedKeyError):
    """The decrypted map does not match the commitment it is checked against."""


class SealedKeyFormatError(SealedKeyError):
    """A stored sealed key is not in the expected format."""


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost parameters, recorded with the key: N (a power of 2), r and p."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        valid = (
            all(isinstance(value, int) and not isinstance(value, bool) for value in (self.n, self.r, self.p))
            and self.n >= 2
            and self.n & (self.n - 1) == 0
            and 1 <= self.r <= 64
            and 1 <= self.p <= 16
            and 128 * self.r * self.n <= MAX_SCRYPT_MEMORY_BYTES
        )
        if not valid:
            raise SealedKeyFormatError(
                f"scrypt parameters n={self.n!r}, r={self.r!r}, p={self.p!r} not accepted; accepted: n a "
                f"power of 2 from 2, r 1-64, p 1-16, memory 128*r*n at most {MAX_SCRYPT_MEMORY_BYTES} bytes"
            )

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        """The AES key for `passphrase` and `salt`."""
        secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
        return Scrypt(salt=salt, length=KEY_BYTES, n=self.n, r=self.r, p=self.p).derive(secret)


@dataclass(frozen=True)
class SealedKey:
    """What is stored: the encrypted map and the public commitment; serializable with `to_json`."""

    kdf: ScryptParams
    salt: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    commitment: str

    def __post_init__(self) -> None:
        problems = []
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
        return json.dumps(
            {
                "format": FORMAT,
                "kdf": {"name": "scrypt", "n": self.kdf.n, "r": self.kdf.r, "p": self.kdf.p},
                "salt": _b64(self.salt),
                "nonce": _b64(self.nonce),
                "ciphertext": _b64(self.ciphertext),
                "commitment": self.commitment,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> "SealedKey":
        """Read a sealed key written by `to_json`, refusing anything else with `SealedKeyFormatError`."""
        try:
            document = json.loads(text)
            if document["format"] != FORMAT or document["kdf"]["name"] != "scrypt":
                raise SealedKeyFormatError(f"not a {FORMAT} sealed key")
            kdf = ScryptParams(document["kdf"]["n"], document["kdf"]["r"], document["kdf"]["p"])
            return cls(
                kdf=kdf,
                salt=_unb64(document["salt"]),
                nonce=_unb64(document["nonce"]),
                ciphertext=_unb64(document["ciphertext"]),
                commitment=document["commitment"],
            )
        except (json.JSONDecodeError, binascii.Error, KeyError, TypeError) as error:
            raise SealedKeyFormatError(
                f"sealed key is not valid {FORMAT} JSON ({type(error).__name__})"
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


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to seal with, without echoing it."""
    length = len(unicodedata.normalize("NFC", passphrase))
    if length < MIN_PASSPHRASE_CHARS:
        raise PassphraseTooShortError(
            f"the passphrase has {length} characters; accepted: at least {MIN_PASSPHRASE_CHARS} characters "
            "(a few unrelated words are easier to remember than symbols)"
        )


def canonical_assignment(assignment: Mapping[str, int]) -> bytes:
    """The map as canonical bytes: JSON with sorted keys, no spaces, UTF-8."""
    if not all(
        isinstance(arm, int) and not isinstance(arm, bool) and arm >= 0 for arm in assignment.values()
    ):
        raise ValueError("arm indices must be integers of 0 or more")
    return json.dumps(dict(assignment), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def allocation_commitment(assignment: Mapping[str, int], commitment_salt: bytes) -> str:
    """SHA-256 (hex) over the canonical map and the commitment salt, with a domain prefix."""
    return hashlib.sha256(_COMMITMENT_DOMAIN + commitment_salt + canonical_assignment(assignment)).hexdigest()


def verify_commitment(assignment: Mapping[str, int], commitment_salt: bytes, commitment: str) -> None:
    """Raise `CommitmentMismatchError` unless the map and salt produce exactly `commitment`."""
    if not hmac.compare_digest(allocation_commitment(assignment, commitment_salt), commitment):
        raise CommitmentMismatchError(
            "the allocation does not match the commitment: the stored key or the commitment was replaced"
        )


def seal(
    assignment: Mapping[str, int],
    passphrase: str,
    kdf: ScryptParams | None = None,
    details: Mapping[str, object] | None = None,
) -> SealedKey:
    """Encrypt the animal -> arm map under `passphrase` and commit to it; fresh salts and nonce each call.

    `details` (JSON-ready) is encrypted with the map but not committed to: what must stay secret until
    unmasking without being part of the allocation itself, such as the seed that would regenerate it.
    """
    check_passphrase(passphrase)
    if not assignment:
        raise ValueError("there is no allocation to seal")
    kdf = ScryptParams() if kdf is None else kdf
    commitment_salt = secrets.token_bytes(COMMITMENT_SALT_BYTES)
    plaintext = json.dumps(
        {
            "assignment": json.loads(canonical_assignment(assignment)),
            "commitment_salt": commitment_salt.hex(),
            "details": dict(details or {}),
        },
        sort_keys=True,
        ensure_ascii=False,
    ).encode("utf-8")
    salt = secrets.token_bytes(SALT_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(kdf.derive(passphrase, salt)).encrypt(nonce, plaintext, _header(kdf, salt))
    return SealedKey(kdf, salt, nonce, ciphertext, allocation_commitment(assignment, commitment_salt))


def unseal(sealed: SealedKey, passphrase: str) -> UnsealedKey:
    """Decrypt the map and verify it against the stored commitment; nothing is revealed on any failure."""
    key = sealed.kdf.derive(passphrase, sealed.salt)
    try:
        plaintext = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, _header(sealed.kdf, sealed.salt))
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


def _header(kdf: ScryptParams, salt: bytes) -> bytes:
    """The associated data bound to the ciphertext: format, key-derivation name, parameters and salt."""
    fields = {"format": FORMAT, "kdf": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p, "salt": salt.hex()}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")


def _b64(data: bytes) -> str:
    """Standard base64 text of `data`."""
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    """Strictly decoded base64 (invalid characters are an error, not skipped)."""
    return base64.b64decode(text, validate=True)
