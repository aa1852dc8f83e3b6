"""What an allocation seals besides its map, and the one plaintext size every draw of a design is padded to.

Everything that depends on the draw stays inside the sealed key: the seed and block sizes (which regenerate
or narrow the map) and the per-arm balance report (whose weight means and SDs single out the allocation for
small studies). The ciphertext's length must not depend on the draw either, or the number of permuted blocks
can be read off it, so the plaintext is padded to `padded_plaintext_bytes`, a bound computed from the roster
and the arms alone.

Notes
-----
The bound is an upper limit on the JSON the details can take for any draw: every animal in the last arm (the
widest index), one stratum per animal (the finest stratification, sex and cage, with one animal per cage),
one block size per animal, 128-bit seeds and full-precision floats in the balance report; with the study's
non-randomized factor, each stratum's key also names the factor and the animal's level. A draw that ever
exceeded it would be refused by the sealing, never sealed short.
"""

from collections.abc import Mapping, Sequence

from cohorts.balance import BalanceReport
from cohorts.randomization import Allocation
from cohorts.roster import RosterEntry
from cohorts.sealed_key import plaintext_length

#: Bytes for the fixed part of the details: keys, three 128-bit integers (seeds, entropy), flags.
FIXED_DETAILS_BYTES = 1024
#: Bytes per arm for its balance summary (label, five counts, two full-precision floats, their keys).
ARM_SUMMARY_BYTES = 400
#: Bytes per pair of arms for the standardized mean difference of weight between them.
ARM_PAIR_BYTES = 160
#: Bytes per animal for its stratum's key and one block size, besides four bytes per byte of its cage.
ANIMAL_DETAILS_BYTES = 48


def sealed_details(allocation: Allocation, balance: BalanceReport) -> dict[str, object]:
    """The details sealed with the map: arm names in index order, seed and blocks, and the balance report.

    Parameters
    ----------
    allocation
        The drawn allocation; its `sealed_record` (seed, block sizes) is included.
    balance
        The per-arm balance report of that allocation, shown to the key holder before committing.

    Returns
    -------
    dict
        JSON-ready details for `cohorts.sealed_key.seal`.
    """
    return {**allocation.sealed_record(), "arms": list(allocation.arms), "balance": balance.as_dict()}


def padded_plaintext_bytes(
    entries: Sequence[RosterEntry], arms: Sequence[str], factor: str | None = None
) -> int:
    """The plaintext size, in bytes, every allocation of this roster to these arms is padded to.

    Parameters
    ----------
    entries
        The roster that is randomized.
    arms
        The arm names, in index order.
    factor
        The study's non-randomized factor, a stratum of every method (None: the study has none).

    Returns
    -------
    int
        An upper bound on the sealed plaintext of any draw, a function of the roster and arms only.
    """
    widest: Mapping[str, int] = {entry.animal_id: len(arms) - 1 for entry in entries}
    n_arms = len(arms)
    allowance = (
        FIXED_DETAILS_BYTES
        + sum(4 * len(arm.encode("utf-8")) + 4 for arm in arms)
        + ARM_SUMMARY_BYTES * n_arms
        + ARM_PAIR_BYTES * n_arms * (n_arms - 1) // 2
        + sum(ANIMAL_DETAILS_BYTES + 4 * len(entry.cage.encode("utf-8")) for entry in entries)
        + sum(4 * len(f", {factor}={entry.factor_level}".encode()) for entry in entries if factor is not None)
    )
    return plaintext_length(widest, {}) + allowance
