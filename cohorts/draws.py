"""Seeded random draws that give the same allocation from the same seed on any machine and Python version.

Notes
-----
Python guarantees that `random.Random(seed).random()` keeps producing the same sequence for the same integer
seed across versions; the other methods (`randrange`, `shuffle`, `choice`) and numpy's Generator streams carry
no such promise and have changed between releases. So every draw here is built from `random()` alone: an index
below n is ``floor(u * n)`` and a shuffle is Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P) on those
indices. The bias of ``floor(u * n)`` is below n / 2**53, negligible for allocation.
"""

import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

SEED_BITS = 63
T = TypeVar("T")


def new_seed() -> int:
    """A fresh seed from the operating system's randomness, small enough for a signed 64-bit column."""
    return secrets.randbits(SEED_BITS)


def check_seed(seed: int) -> None:
    """Refuse a seed that is not an integer in ``[0, 2**63)`` (negative seeds would alias positive ones)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**SEED_BITS:
        raise ValueError(f"seed must be an integer from 0 to 2**{SEED_BITS} - 1, got {seed!r}")


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
