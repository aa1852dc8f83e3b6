"""The sealed key: the animal -> arm map encrypted under a passphrase, bound to its study, and a commitment.

`seal` derives a 256-bit key from the passphrase with Argon2id (fresh random salt) and encrypts the map,
together with a random commitment salt and the sealed details, with AES-256-GCM (fresh random nonce). The
associated data binds the header (format, key-derivation parameters, salt) and the caller's context (the
study ID and roster hash, say), so a changed parameter fails authentication like a changed ciphertext byte,
and a key copied into another study is refused there: `unseal` builds the associated data from the context
the caller *expects*, never from what the stored key claims. The plaintext may be padded to a length fixed
in advance (`pad_to`, from `plaintext_length` of the largest contents the design allows), so the size of
the ciphertext says nothing about the allocation.

The commitment, SHA-256 over a domain prefix, the commitment salt and the canonical map, is stored and
published before dosing; the salt, hidden in the ciphertext, keeps anyone from testing guessed maps
against it until unmasking, when `unseal` decrypts and verifies it and `commitment_opening` gives what is
published so that anyone can recompute the commitment (`COMMITMENT_RECIPE`).

Formats: ``cohorts.sealed-key/2`` (written now: Argon2id or scrypt, context, padding) and
``cohorts.sealed-key/1`` (scrypt, no context; still opened). Passphrases are used exactly as given after
Unicode NFC normalization (so the same passphrase typed on any system derives the same key); callers strip a
trailing newline from a passphrase file themselves. `seal` refuses only passphrases shorter than
`MIN_PASSPHRASE_CHARS` real characters; the strength estimate is `cohorts.passphrase.check_passphrase`.

Notes
-----
Argon2id is the memory-hard function of RFC 9106 (Biryukov, Dinu, Khovratovich & Josefsson 2021). The
default, 64 MiB of memory, 3 passes and 4 lanes, is RFC 9106 section 4's second recommended option for
memory-constrained settings and above the OWASP Password Storage Cheat Sheet's minimum (19 MiB, 2 passes,
1 lane), which `seal` enforces (`MIN_ARGON2ID_MEMORY_KIB`, `MIN_ARGON2ID_ITERATIONS`); it takes about 0.4 s,
proportionate for a key opened a few times per study. Older keys use scrypt (Percival 2009, RFC 7914); a
new scrypt seal needs N >= 2**17 with r = 8 (128 MiB; OWASP's minimum). Parameters read from a stored key
are bounded (`MAX_KDF_MEMORY_BYTES`, `MAX_ARGON2ID_ITERATIONS`, `MAX_ARGON2ID_LANES`) so that a hostile
stored key cannot make us allocate gigabytes or run for hours; only parameters marked ``for_tests_only``
may be weaker than the guidance when sealing. AES-GCM is NIST SP 800-38D. All primitives come from the
`cryptography` package; nothing here implements one.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import shlex
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "cohorts.sealed-key/2"
FORMAT_V1 = "cohorts.sealed-key/1"
FORMATS = (FORMAT_V1, FORMAT)
MIN_PASSPHRASE_CHARS = 12
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
COMMITMENT_SALT_BYTES = 32
MAX_KDF_MEMORY_BYTES = 1 << 30
MAX_ARGON2ID_ITERATIONS = 16
MAX_ARGON2ID_LANES = 16
ARGON2_VERSION = 0x13
MIN_ARGON2ID_MEMORY_KIB = 19 * 1024
MIN_ARGON2ID_ITERATIONS = 2
MIN_SCRYPT_N = 2**17
_COMMITMENT_DOMAIN = b"cohorts allocation commitment v1\x00"
#: Recomputes a commitment from its opening: replace SALT_HEX and ALLOCATION by the published salt and
#: canonical allocation text (quoted for the shell); it prints the commitment.
COMMITMENT_RECIPE = (
    "python3 -c \"import hashlib,sys; print(hashlib.sha256(b'cohorts allocation commitment v1\\0'"
    ' + bytes.fromhex(sys.argv[1]) + sys.argv[2].encode()).hexdigest())" SALT_HEX ALLOCATION'
)
_IGNORED_CATEGORIES = ("Cc", "Cf")


class SealedKeyError(ValueError):
    """Base of every refusal from this module; messages never contain any part of the map or passphrase."""


class WeakPassphraseError(SealedKeyError):
    """A passphrase chosen for sealing is too short or too easy to guess."""


class PassphraseTooShortError(WeakPassphraseError):
    """A passphrase chosen for sealing has fewer real characters than the minimum."""


class WrongPassphraseError(SealedKeyError):
    """Decryption failed: the passphrase is wrong, or the sealed key was altered or truncated."""


class SealedKeyContextError(SealedKeyError):
    """The sealed key names another study or roster than the one it is opened for."""


class CommitmentMismatchError(SealedKeyError):
    """The decrypted map does not match the commitment it is checked against."""


class SealedKeyFormatError(SealedKeyError):
    """A stored sealed key is not in the expected format."""


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Argon2idParams:
    """Argon2id cost parameters, recorded with the key.

    Parameters
    ----------
    memory_kib
        Memory per derivation, in KiB (at least 8 per lane).
    iterations
        Passes over the memory.
    lanes
        Degree of parallelism.
    for_tests_only
        Allows sealing with parameters below the guidance (tests only; never stored).
    """

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4
    for_tests_only: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        counts = (self.memory_kib, self.iterations, self.lanes)
        valid = (
            all(_is_count(value) for value in counts)
            and 1 <= self.lanes <= MAX_ARGON2ID_LANES
            and 1 <= self.iterations <= MAX_ARGON2ID_ITERATIONS
            and 8 * self.lanes <= self.memory_kib <= MAX_KDF_MEMORY_BYTES // 1024
        )
        if not valid:
            raise SealedKeyFormatError(
                f"Argon2id parameters memory_kib={self.memory_kib!r}, iterations={self.iterations!r}, "
                f"lanes={self.lanes!r} not accepted; accepted: lanes 1-{MAX_ARGON2ID_LANES}, iterations "
                f"1-{MAX_ARGON2ID_ITERATIONS}, memory_kib from 8 per lane to {MAX_KDF_MEMORY_BYTES // 1024}"
            )

    @classmethod
    def fast_for_tests(cls) -> "Argon2idParams":
        """The smallest parameters Argon2id allows (8 KiB, 1 pass, 1 lane): for tests, never for a study."""
        return cls(memory_kib=8, iterations=1, lanes=1, for_tests_only=True)

    @property
    def meets_guidance(self) -> bool:
        """Whether a new seal may use these parameters (OWASP's minimum, or marked for tests)."""
        strong = self.memory_kib >= MIN_ARGON2ID_MEMORY_KIB and self.iterations >= MIN_ARGON2ID_ITERATIONS
        return strong or self.for_tests_only

    def describe(self) -> dict[str, object]:
        """The JSON-ready record of the parameters, as stored and as bound into the associated data."""
        return {
            "name": "argon2id",
            "version": ARGON2_VERSION,
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
        }

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        """The AES key for `passphrase` and `salt`."""
        kdf = Argon2id(
            salt=salt,
            length=KEY_BYTES,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(_passphrase_bytes(passphrase))


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost parameters, recorded with the key: N (a power of 2), r and p.

    ``for_tests_only`` allows sealing with N below `MIN_SCRYPT_N` (tests only; never stored).
    """

    n: int = MIN_SCRYPT_N
    r: int = 8
    p: int = 1
    for_tests_only: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        valid = (
            all(_is_count(value) for value in (self.n, self.r, self.p))
            and self.n >= 2
            and self.n & (self.n - 1) == 0
            and 1 <= self.r <= 64
            and 1 <= self.p <= 16
            and 128 * self.r * self.n <= MAX_KDF_MEMORY_BYTES
        )
        if not valid:
            raise SealedKeyFormatError(
                f"scrypt parameters n={self.n!r}, r={self.r!r}, p={self.p!r} not accepted; accepted: n a "
                f"power of 2 from 2, r 1-64, p 1-16, memory 128*r*n at most {MAX_KDF_MEMORY_BYTES} bytes"
            )

    @property
    def meets_guidance(self) -> bool:
        """Whether a new seal may use these parameters (N >= 2**17 with r >= 8, or marked for tests)."""
        return (self.n >= MIN_SCRYPT_N and self.r >= 8) or self.for_tests_only

    def describe(self) -> dict[str, object]:
        """The JSON-ready record of the parameters, as stored and as bound into the associated data."""
        return {"name": "scrypt", "n": self.n, "r": self.r, "p": self.p}

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        """The AES key for `passphrase` and `salt`."""
        return Scrypt(salt=salt, length=KEY_BYTES, n=self.n, r=self.r, p=self.p).derive(
            _passphrase_bytes(passphrase)
        )


KdfParams = Argon2idParams | ScryptParams


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
    format: Literal["cohorts.sealed-key/1", "cohorts.sealed-key/2"] = FORMAT

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
                kdf=_kdf_from(document["kdf"]),
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


@dataclass(frozen=True)
class CommitmentOpening:
    """What is published at unmasking so that anyone can recompute the commitment.

    Attributes
    ----------
    commitment
        The commitment published before dosing (SHA-256, hex).
    salt
        The commitment salt, hex.
    allocation
        The canonical allocation text, exactly the bytes hashed (UTF-8): animal ID -> arm index (0-based).
    recipe
        `COMMITMENT_RECIPE`: how to recompute the commitment from `salt` and `allocation`.
    """

    commitment: str
    salt: str
    allocation: str
    recipe: str = COMMITMENT_RECIPE

    def command(self) -> str:
        """The recipe with this opening's salt and allocation filled in, quoted for a POSIX shell."""
        return COMMITMENT_RECIPE.replace("SALT_HEX ALLOCATION", f"{self.salt} {shlex.quote(self.allocation)}")

    def as_dict(self) -> dict[str, str]:
        """The JSON-ready opening, as it goes into the unmask record, the manifest and the report."""
        return {
            "commitment": self.commitment,
            "salt": self.salt,
            "allocation": self.allocation,
            "recipe": self.recipe,
        }


def real_characters(passphrase: str) -> int:
    """Characters of the NFC-normalized passphrase that count toward its length.

    Whitespace, control (Cc) and format (Cf: zero-width, bidirectional) characters do not count.
    """
    return sum(
        1
        for char in unicodedata.normalize("NFC", passphrase)
        if not char.isspace() and unicodedata.category(char) not in _IGNORED_CATEGORIES
    )


def check_passphrase_length(passphrase: str) -> None:
    """Refuse a passphrase with fewer than `MIN_PASSPHRASE_CHARS` real characters, without echoing it."""
    length = real_characters(passphrase)
    if length < MIN_PASSPHRASE_CHARS:
        raise PassphraseTooShortError(
            f"the passphrase has {length} real characters (spaces, control and invisible characters do not "
            f"count); accepted: at least {MIN_PASSPHRASE_CHARS} (four or more unrelated words are easier "
            "to remember than symbols)"
        )


def check_passphrase(passphrase: str, user_words: Sequence[str] = ()) -> None:
    """Refuse a weak passphrase: `cohorts.passphrase.check_passphrase` (length and strength estimate)."""
    from cohorts.passphrase import check_passphrase as check_strength

    check_strength(passphrase, user_words)


def canonical_assignment(assignment: Mapping[str, int]) -> bytes:
    """The map as canonical bytes: JSON with sorted keys, no spaces, UTF-8."""
    if not all(_is_count(arm) and arm >= 0 for arm in assignment.values()):
        raise ValueError("arm indices must be integers of 0 or more")
    return json.dumps(dict(assignment), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def allocation_commitment(assignment: Mapping[str, int], commitment_salt: bytes) -> str:
    """SHA-256 (hex) over the domain prefix, the commitment salt and the canonical map."""
    return hashlib.sha256(_COMMITMENT_DOMAIN + commitment_salt + canonical_assignment(assignment)).hexdigest()


def verify_commitment(assignment: Mapping[str, int], commitment_salt: bytes, commitment: str) -> None:
    """Raise `CommitmentMismatchError` unless the map and salt produce exactly `commitment`."""
    if not hmac.compare_digest(allocation_commitment(assignment, commitment_salt), commitment):
        raise CommitmentMismatchError(
            "the allocation does not match the commitment: the stored key or the commitment was replaced"
        )


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
        Pad the plaintext to exactly this many bytes (see `plaintext_length`); ``ValueError`` when the
        contents are already longer.
    """
    check_passphrase_length(passphrase)
    if not assignment:
        raise ValueError("there is no allocation to seal")
    kdf = Argon2idParams() if kdf is None else kdf
    if not kdf.meets_guidance:
        raise ValueError(
            f"key-derivation parameters {kdf.describe()} are below current guidance; accepted: Argon2id "
            f"with at least {MIN_ARGON2ID_MEMORY_KIB} KiB and {MIN_ARGON2ID_ITERATIONS} passes, or scrypt "
            f"with N >= {MIN_SCRYPT_N} and r >= 8"
        )
    bound = _checked_context(context or {})
    commitment_salt = secrets.token_bytes(COMMITMENT_SALT_BYTES)
    padding = 0
    if pad_to is not None:
        padding = pad_to - plaintext_length(assignment, details)
        if padding < 0:
            raise ValueError(
                f"the sealed contents take {pad_to - padding} bytes, more than pad_to={pad_to}; accepted: a "
                "pad size computed with plaintext_length from the largest contents the design allows"
            )
    plaintext = _plaintext(assignment, commitment_salt, details, padding)
    salt = secrets.token_bytes(SALT_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    associated = _associated_data(FORMAT, kdf, salt, bound)
    ciphertext = AESGCM(kdf.derive(passphrase, salt)).encrypt(nonce, plaintext, associated)
    commitment = allocation_commitment(assignment, commitment_salt)
    return SealedKey(kdf, salt, nonce, ciphertext, commitment, context=bound, format=FORMAT)


def unseal(sealed: SealedKey, passphrase: str, *, context: Mapping[str, str] | None = None) -> UnsealedKey:
    """Decrypt the map and verify it against the stored commitment; nothing is revealed on any failure.

    `context` is what the caller expects the key to belong to (empty when not given); a
    ``cohorts.sealed-key/1`` key predates contexts and opens under any. Raises `SealedKeyContextError`
    when the key names another context, `WrongPassphraseError` when decryption fails (wrong passphrase,
    altered key, or a context that was edited to match) and `CommitmentMismatchError` when the map does not
    match the commitment.
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


def _kdf_from(document: Mapping[str, object]) -> KdfParams:
    """Key-derivation parameters from their stored record, bounded by the parameter classes."""
    name = document["name"]
    if name == "scrypt":
        return ScryptParams(document["n"], document["r"], document["p"])  # type: ignore[arg-type]
    if name == "argon2id" and document["version"] == ARGON2_VERSION:
        return Argon2idParams(
            document["memory_kib"],
            document["iterations"],
            document["lanes"],  # type: ignore[arg-type]
        )
    raise SealedKeyFormatError(
        f"key derivation {name!r} not accepted; accepted: argon2id (version {ARGON2_VERSION}), scrypt"
    )


def _passphrase_bytes(passphrase: str) -> bytes:
    """The passphrase as the key derivation sees it: NFC-normalized, UTF-8."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _b64(data: bytes) -> str:
    """Standard base64 text of `data`."""
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    """Strictly decoded base64 (invalid characters are an error, not skipped)."""
    return base64.b64decode(text, validate=True)
