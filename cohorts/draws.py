"""Seeded random draws that give the same allocation from the same seed on any machine and Python version.

Notes
-----
Python guarantees that `random.Random(seed).random()` keeps producing the same sequence for the same integer
seed across versions; the other methods (`randrange`, `shuffle`, `choice`) and numpy's Generator streams carry
no such promise and have changed between releases. So every draw here is built from `random()` alone: an index
below n is ``floor(u * n)`` and a shuffle is Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P) on those
indices. The bias of ``floor(u * n)`` is below n / 2**53, negligible for allocation.

Seeds have 128 bits (`SEED_BITS`), beyond any search; `random.Random` seeds from every bit of an integer, so
the 63-bit seeds of earlier versions replay exactly. A seed someone chose (a date, a lab number) is small
and can be found by trying, so `mix_seed` hashes it with 128 bits from the operating system (SHA-256 over a
domain tag and both, truncated to 128 bits): the result is as hard to guess as the OS bits, and it alone
replays the draws.
"""

import hashlib
import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

from cohorts.errors import CohortsError

SEED_BITS = 128
SEED_BYTES = SEED_BITS // 8
_MIX_DOMAIN = b"cohorts seed mix v1\x00"
T = TypeVar("T")


def new_seed() -> int:
    """A fresh seed of `SEED_BITS` bits from the operating system's randomness."""
    return secrets.randbits(SEED_BITS)


def check_seed(seed: int) -> None:
    """Refuse a seed that is not an integer in ``[0, 2**128)`` (negative seeds would alias positive ones)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**SEED_BITS:
        raise CohortsError(f"seed must be an integer from 0 to 2**{SEED_BITS} - 1, got {seed!r}")


def mix_seed(user_seed: int, os_entropy: int) -> int:
    """The seed drawn from a chosen seed and OS randomness: SHA-256 of both, truncated to `SEED_BITS`.

    Both arguments must be valid seeds; the same pair always gives the same result.
    """
    check_seed(user_seed)
    check_seed(os_entropy)
    digest = hashlib.sha256(
        _MIX_DOMAIN + user_seed.to_bytes(SEED_BYTES, "big") + os_entropy.to_bytes(SEED_BYTES, "big")
    ).digest()
    return int.from_bytes(digest[:SEED_BYTES], "big")


class SeededDraws:
    """A reproducible stream of uniform draws, indices, choices and shuffles from one seed."""

    def __init__(self, seed: int) -> None:
        check_seed(seed)
        self._random = random.Random(seed)

    def uniform(self) -> float:
        """A float in ``[0, 1)``."""
        return self._random.random()

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``, each equally likely."""
        if n < 1:
            raise ValueError(f"cannot draw below {n}")
        return min(int(self.uniform() * n), n - 1)

    def choice(self, items: Sequence[T]) -> T:
        """One of `items`, each equally likely."""
        return items[self.below(len(items))]

    def shuffle(self, items: list[T]) -> None:
        """Permute `items` in place, each order equally likely (Fisher-Yates)."""
        for last in range(len(items) - 1, 0, -1):
            other = self.below(last + 1)
            items[last], items[other] = items[other], items[last]
