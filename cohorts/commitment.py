"""The commitment to an allocation, published before dosing, and its opening, published at unmasking.

The commitment is SHA-256 over a domain prefix, a random 32-byte salt and the canonical map (JSON, sorted
keys, no spaces, UTF-8). The salt stays sealed with the map, so nobody can test guessed maps against the
commitment before unmasking; then salt and canonical map are published (`CommitmentOpening`) with a one-line
recipe (`COMMITMENT_RECIPE`) that lets anyone recompute it.
"""

import hashlib
import hmac
import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from cohorts.sealing_errors import CommitmentMismatchError

COMMITMENT_SALT_BYTES = 32
_COMMITMENT_DOMAIN = b"cohorts allocation commitment v1\x00"
#: Recomputes a commitment from its opening: replace SALT_HEX and ALLOCATION by the published salt and
#: canonical allocation text (quoted for the shell); it prints the commitment.
COMMITMENT_RECIPE = (
    "python3 -c \"import hashlib,sys; print(hashlib.sha256(b'cohorts allocation commitment v1\\0'"
    ' + bytes.fromhex(sys.argv[1]) + sys.argv[2].encode()).hexdigest())" SALT_HEX ALLOCATION'
)


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


def canonical_assignment(assignment: Mapping[str, int]) -> bytes:
    """The map as canonical bytes: JSON with sorted keys, no spaces, UTF-8."""
    if not all(type(arm) is int and arm >= 0 for arm in assignment.values()):
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
