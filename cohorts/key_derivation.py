"""The AES key of a sealed allocation from the key holder's passphrase: Argon2id (scrypt for old keys).

Notes
-----
Argon2id is the memory-hard function of RFC 9106 (Biryukov, Dinu, Khovratovich & Josefsson 2021). The
default, 64 MiB of memory, 3 passes and 4 lanes, is RFC 9106 section 4's second recommended option for
memory-constrained settings and above the OWASP Password Storage Cheat Sheet's minimum (19 MiB, 2 passes,
1 lane), which sealing enforces (`MIN_ARGON2ID_MEMORY_KIB`, `MIN_ARGON2ID_ITERATIONS`); it takes about 0.4 s,
proportionate for a key opened a few times per study. Older keys use scrypt (Percival 2009, RFC 7914); a
new scrypt seal needs N >= 2**17 with r = 8 (128 MiB; OWASP's minimum). Parameters read from a stored key
are bounded (`MAX_KDF_MEMORY_BYTES`, `MAX_ARGON2ID_ITERATIONS`, `MAX_ARGON2ID_LANES`) so that a hostile
stored key cannot make us allocate gigabytes or run for hours; only parameters marked ``for_tests_only``
may be weaker than the guidance when sealing. Passphrases are used exactly as given after Unicode NFC
normalization, so the same passphrase typed on any system derives the same key. The primitives come from
the `cryptography` package.
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cohorts.sealing_errors import SealedKeyFormatError

KEY_BYTES = 32
MAX_KDF_MEMORY_BYTES = 1 << 30
MAX_ARGON2ID_ITERATIONS = 16
MAX_ARGON2ID_LANES = 16
ARGON2_VERSION = 0x13
MIN_ARGON2ID_MEMORY_KIB = 19 * 1024
MIN_ARGON2ID_ITERATIONS = 2
MIN_SCRYPT_N = 2**17


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


def require_guidance(kdf: KdfParams) -> None:
    """Refuse to seal with parameters below current guidance (unless they are marked for tests)."""
    if not kdf.meets_guidance:
        raise ValueError(
            f"key-derivation parameters {kdf.describe()} are below current guidance; accepted: Argon2id "
            f"with at least {MIN_ARGON2ID_MEMORY_KIB} KiB and {MIN_ARGON2ID_ITERATIONS} passes, or scrypt "
            f"with N >= {MIN_SCRYPT_N} and r >= 8"
        )


def kdf_from_record(document: Mapping[str, Any]) -> KdfParams:
    """Key-derivation parameters from their stored record, bounded by the parameter classes.

    Parameters
    ----------
    document
        The ``kdf`` record of a stored key as JSON gave it: its values are untrusted and unchecked here, the
        parameter classes refuse any that is not a count in their bounds.

    Returns
    -------
    KdfParams
        The Argon2id or scrypt parameters the key was sealed with.
    """
    name = document["name"]
    if name == "scrypt":
        return ScryptParams(document["n"], document["r"], document["p"])
    if name == "argon2id" and document["version"] == ARGON2_VERSION:
        return Argon2idParams(document["memory_kib"], document["iterations"], document["lanes"])
    raise SealedKeyFormatError(
        f"key derivation {name!r} not accepted; accepted: argon2id (version {ARGON2_VERSION}), scrypt"
    )


def _passphrase_bytes(passphrase: str) -> bytes:
    """The passphrase as the key derivation sees it: NFC-normalized, UTF-8."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")
