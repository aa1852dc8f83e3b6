"""Seeded draws: stable stream, uniform indices, permutations, seed checks."""

import hashlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.draws import SEED_BITS, SeededDraws, check_seed, mix_seed, new_seed


def test_stream_is_pinned() -> None:
    # random.Random(seed).random() is guaranteed stable across Python versions: these must never change.
    draws = SeededDraws(12345)
    assert [draws.below(1000) for _ in range(5)] == [416, 10, 825, 298, 368]
    wide = SeededDraws(2**127 + 12345)
    assert [wide.below(1000) for _ in range(5)] == [38, 415, 803, 370, 452]


@settings(max_examples=50)
@given(st.integers(0, 2**128 - 1), st.integers(1, 50))
def test_below_stays_in_range_and_shuffle_permutes(seed: int, n: int) -> None:
    draws = SeededDraws(seed)
    assert all(0 <= draws.below(n) < n for _ in range(20))
    items = list(range(n))
    draws.shuffle(items)
    assert sorted(items) == list(range(n))
    assert draws.choice("abc") in "abc"


def test_shuffle_reaches_every_order_about_equally() -> None:
    draws = SeededDraws(1)
    orders = Counter()
    for _ in range(6000):
        items = [0, 1, 2]
        draws.shuffle(items)
        orders[tuple(items)] += 1
    assert len(orders) == 6
    assert all(800 < count < 1200 for count in orders.values())


def test_seeds_outside_the_range_are_refused() -> None:
    for bad in (-1, 2**128, 1.5, True, "7"):
        with pytest.raises(ValueError, match="seed must be an integer from 0 to 2\\*\\*128 - 1"):
            check_seed(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot draw below 0"):
        SeededDraws(1).below(0)
    check_seed(2**128 - 1)
    check_seed(2**63 - 1)


def test_os_seeds_have_128_bits() -> None:
    assert SEED_BITS == 128
    seeds = [new_seed() for _ in range(8)]
    assert all(0 <= seed < 2**128 for seed in seeds)
    assert len(set(seeds)) == 8
    # Eight 128-bit draws all below 2**64 would happen with probability 2**-512.
    assert max(seeds) >= 2**64


def test_mixing_a_user_seed_is_sha256_of_both_seeds_truncated_to_128_bits() -> None:
    user, entropy = 20261130, 2**100 + 7
    expected = hashlib.sha256(
        b"cohorts seed mix v1\x00" + user.to_bytes(16, "big") + entropy.to_bytes(16, "big")
    ).digest()[:16]
    assert (
        mix_seed(user, entropy) == int.from_bytes(expected, "big") == 39673136951712739608033627782275271984
    )
    assert mix_seed(user, entropy + 1) != mix_seed(user, entropy) != mix_seed(user + 1, entropy)
    with pytest.raises(ValueError, match="seed must be an integer"):
        mix_seed(user, 2**128)
