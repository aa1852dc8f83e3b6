"""Randomization: balance guarantees, cage integrity, reproducibility from the seed, the record."""

import doctest
import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts import __version__
from cohorts.allocation_methods import weight_tertiles
from cohorts.draws import mix_seed
from cohorts.randomization import METHODS, AllocationError, randomize
from cohorts.roster import RosterEntry, roster_sha256
from tests.cohorts.strategies import rosters

ARMS_2 = ("vehicle", "ketamine")
ARMS_3 = ("vehicle", "ketamine 3", "ketamine 10")
arm_sets = st.sampled_from([ARMS_2, ARMS_3])
seeds = st.integers(0, 2**128 - 1)
PROPERTY = settings(max_examples=60)


def roster_24() -> list[RosterEntry]:
    """Twelve males and twelve females in single-sex cages of four, with varied weights."""
    draw = random.Random(7)
    return [
        RosterEntry(
            f"m{i:02d}",
            "MF"[i // 4 % 2],
            "C57BL/6J",
            date(2025, 1, 1),
            f"c{i // 4}",
            None,
            18 + draw.random() * 12,
        )
        for i in range(24)
    ]


@PROPERTY
@given(rosters(), arm_sets, seeds)
def test_stratified_block_is_balanced_within_each_stratum_to_one_block(
    entries: list[RosterEntry], arms: tuple[str, ...], seed: int
) -> None:
    allocation = randomize(entries, arms, "stratified-block", seed=seed, bare_seed=True)
    assert set(allocation.assignment) == {entry.animal_id for entry in entries}
    for sex in {entry.sex for entry in entries}:
        counts = Counter(allocation.assignment[e.animal_id] for e in entries if e.sex == sex)
        per_arm = [counts[arm] for arm in range(len(arms))]
        sizes = allocation.block_sizes[f"sex={sex}"]
        assert all(size % len(arms) == 0 and size // len(arms) in (1, 2) for size in sizes)
        assert sum(sizes) - max(sizes) < sum(per_arm) <= sum(sizes)
        assert max(per_arm) - min(per_arm) <= max(sizes) // len(arms)


@PROPERTY
@given(rosters(), arm_sets, seeds)
def test_cage_cluster_never_splits_a_cage_and_balances_cages_by_sex(
    entries: list[RosterEntry], arms: tuple[str, ...], seed: int
) -> None:
    allocation = randomize(entries, arms, "cage-cluster", seed=seed, bare_seed=True)
    arm_of_cage: dict[str, set[int]] = {}
    for entry in entries:
        arm_of_cage.setdefault(entry.cage, set()).add(allocation.assignment[entry.animal_id])
    assert all(len(cage_arms) == 1 for cage_arms in arm_of_cage.values())
    for sex in {entry.sex for entry in entries}:
        cages = {entry.cage for entry in entries if entry.sex == sex}
        counts = Counter(next(iter(arm_of_cage[cage])) for cage in cages)
        per_arm = [counts[arm] for arm in range(len(arms))]
        assert max(per_arm) - min(per_arm) <= max(allocation.block_sizes[f"sex={sex}"]) // len(arms)


@PROPERTY
@given(rosters(), arm_sets, seeds, st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_every_method_is_reproducible_from_its_seed_whatever_the_input_order(
    entries: list[RosterEntry], arms: tuple[str, ...], seed: int, method: str, shuffler: random.Random
) -> None:
    first = randomize(entries, arms, method, seed=seed, bare_seed=True)
    shuffled = entries[:]
    shuffler.shuffle(shuffled)
    again = randomize(shuffled, arms, method, seed=seed, bare_seed=True)
    assert again == first
    assert dict(again.assignment) == dict(first.assignment)
    assert again.roster_sha256 == first.roster_sha256 == roster_sha256(entries)


@PROPERTY
@given(rosters(), arm_sets, seeds)
def test_complete_and_block_keep_arm_sizes_close(
    entries: list[RosterEntry], arms: tuple[str, ...], seed: int
) -> None:
    complete = Counter(randomize(entries, arms, "complete", seed=seed, bare_seed=True).assignment.values())
    assert max(complete[a] for a in range(len(arms))) - min(complete[a] for a in range(len(arms))) <= 1
    block = randomize(entries, arms, "block", seed=seed, bare_seed=True)
    counts = Counter(block.assignment.values())
    per_arm = [counts[arm] for arm in range(len(arms))]
    assert max(per_arm) - min(per_arm) <= max(block.block_sizes["all"]) // len(arms)


def test_a_known_seed_gives_the_same_allocation_on_every_machine() -> None:
    # Pins the draw stream: a change here means old allocations could no longer be reproduced.
    allocation = randomize(roster_24(), ARMS_2, "stratified-block", seed=20250601, bare_seed=True)
    assert "".join(str(allocation.assignment[f"m{i:02d}"]) for i in range(24)) == "011000110011100101010011"
    assert dict(allocation.block_sizes) == {"sex=F": (4, 2, 2, 4), "sex=M": (4, 4, 2, 4)}


def roster_12() -> list[RosterEntry]:
    """Six females and six males in single-sex cages of three, weights to 0.1 g."""
    draw = random.Random(11)
    return [
        RosterEntry(
            f"m{i:02d}",
            "MF"[i // 3 % 2],
            "C57BL/6J",
            date(2025, 1, 1),
            f"c{i // 3}",
            None,
            round(18 + draw.random() * 12, 1),
        )
        for i in range(12)
    ]


# Allocations of roster_12 made with 63-bit seeds before seeds widened to 128 bits (captured then).
OLD_SEED_ALLOCATIONS = {
    (20261130, "complete"): ("001001011101", {}),
    (20261130, "block"): ("110010100101", {"all": (4, 4, 4)}),
    (20261130, "stratified-block"): ("010110111010", {"sex=F": (4, 4), "sex=M": (4, 4)}),
    (20261130, "cage-cluster"): ("111111000111", {"sex=F": (4,), "sex=M": (4,)}),
    (20261130, "minimization"): ("010111011011", {}),
    (2**63 - 1, "complete"): ("110000101011", {}),
    (2**63 - 1, "block"): ("010011010101", {"all": (2, 4, 4, 2)}),
    (2**63 - 1, "stratified-block"): ("010010101011", {"sex=F": (2, 4), "sex=M": (4, 2)}),
    (2**63 - 1, "cage-cluster"): ("000000000111", {"sex=F": (2,), "sex=M": (4,)}),
    (2**63 - 1, "minimization"): ("001010110110", {}),
}


@pytest.mark.parametrize(("seed", "method"), sorted(OLD_SEED_ALLOCATIONS))
def test_old_63_bit_seeds_replay_exactly_as_a_bare_seed(seed: int, method: str) -> None:
    allocation = randomize(roster_12(), ARMS_2, method, seed=seed, bare_seed=True)
    arms, block_sizes = OLD_SEED_ALLOCATIONS[(seed, method)]
    assert "".join(str(allocation.assignment[f"m{i:02d}"]) for i in range(12)) == arms
    assert dict(allocation.block_sizes) == block_sizes
    assert allocation.seed == seed and allocation.sealed_record()["bare_seed"] is True


def test_a_user_seed_is_mixed_with_os_randomness_unless_bare() -> None:
    first = randomize(roster_24(), ARMS_2, "complete", seed=20261130)
    second = randomize(roster_24(), ARMS_2, "complete", seed=20261130)
    assert first.seed != second.seed and first.os_entropy != second.os_entropy
    assert dict(first.assignment) != dict(second.assignment)
    for allocation in (first, second):
        assert allocation.user_seed == 20261130 and not allocation.bare_seed
        assert allocation.os_entropy is not None
        assert allocation.seed == mix_seed(20261130, allocation.os_entropy)
        replayed = randomize(roster_24(), ARMS_2, "complete", seed=allocation.seed, bare_seed=True)
        assert dict(replayed.assignment) == dict(allocation.assignment)
    bare = [randomize(roster_24(), ARMS_2, "complete", seed=20261130, bare_seed=True) for _ in range(2)]
    assert dict(bare[0].assignment) == dict(bare[1].assignment)
    assert bare[0].seed == 20261130 and bare[0].os_entropy is None and bare[0].bare_seed


def test_an_os_drawn_seed_replays_its_allocation() -> None:
    drawn = randomize(roster_24(), ARMS_2, "minimization")
    assert drawn.user_seed is None and drawn.os_entropy is None and not drawn.bare_seed
    replayed = randomize(roster_24(), ARMS_2, "minimization", seed=drawn.seed, bare_seed=True)
    assert dict(replayed.assignment) == dict(drawn.assignment)


def test_different_seeds_give_different_allocations() -> None:
    allocations = {
        tuple(sorted(randomize(roster_24(), ARMS_2, seed=seed, bare_seed=True).assignment.items()))
        for seed in range(5)
    }
    assert len(allocations) == 5


def test_stratifying_by_sex_and_cage_makes_a_stratum_per_cage() -> None:
    allocation = randomize(
        roster_24(), ARMS_2, "stratified-block", seed=1, strata=("sex", "cage"), bare_seed=True
    )
    assert allocation.strata == ("sex", "cage")
    assert sorted(allocation.block_sizes) == sorted(f"sex={'MF'[c % 2]}, cage=c{c}" for c in range(6))
    for cage in range(6):
        counts = Counter(allocation.assignment[f"m{i:02d}"] for i in range(4 * cage, 4 * cage + 4))
        assert abs(counts[0] - counts[1]) <= 2


def test_minimization_balances_sex_and_weight_tertiles_better_than_chance() -> None:
    entries = roster_24()
    tertiles = weight_tertiles(entries)
    assert Counter(tertiles.values()) == {0: 8, 1: 8, 2: 8}

    def worst_imbalance(method: str, seed: int, p_preferred: float = 0.8) -> int:
        allocation = randomize(entries, ARMS_2, method, seed=seed, p_preferred=p_preferred, bare_seed=True)
        worst = 0
        for level in (lambda e: e.sex, lambda e: tertiles[e.animal_id]):
            counts = Counter((level(e), allocation.assignment[e.animal_id]) for e in entries)
            worst = max(worst, *(abs(counts[(level(e), 0)] - counts[(level(e), 1)]) for e in entries))
        return worst

    assert max(worst_imbalance("minimization", seed, p_preferred=1.0) for seed in range(30)) <= 2
    minimized = sum(worst_imbalance("minimization", seed) for seed in range(30))
    assert minimized < 0.75 * sum(worst_imbalance("complete", seed) for seed in range(30))


def test_record_is_public_and_the_seed_stays_with_the_sealed_details() -> None:
    entries = roster_24()
    allocation = randomize(entries, ARMS_2, "stratified-block", seed=987654321)
    assert allocation.record() == {
        "method": "stratified-block",
        "arms": ["vehicle", "ketamine"],
        "strata": ["sex"],
        "parameters": {"block_multiples": [1, 2], "block_unit": "animal"},
        "library_version": __version__,
        "roster_sha256": roster_sha256(entries),
        "n_animals": 24,
        "user_seed_given": True,
        "bare_seed": False,
    }
    sealed = allocation.sealed_record()
    assert sealed["user_seed"] == 987654321 and sealed["bare_seed"] is False
    assert sealed["seed"] == allocation.seed == mix_seed(987654321, allocation.os_entropy or 0)
    assert sealed["os_entropy"] == allocation.os_entropy
    assert sealed["block_sizes"] == {label: list(sizes) for label, sizes in allocation.block_sizes.items()}
    # The seed regenerates the map, so neither it nor any animal may show up in a repr or log line.
    for secret in (987654321, allocation.seed, allocation.os_entropy):
        assert str(secret) not in repr(allocation) and str(secret) not in str(allocation.record())
    assert "m00" not in repr(allocation)
    drawn = randomize(entries, ARMS_2, "stratified-block").record()
    assert (drawn["user_seed_given"], drawn["bare_seed"]) == (False, False)
    with pytest.raises(TypeError):
        allocation.assignment["m00"] = 1  # type: ignore[index]


def test_minimization_records_its_factors_and_probability() -> None:
    allocation = randomize(roster_24(), ARMS_2, "minimization", seed=99, bare_seed=True)
    assert allocation.strata == ("sex", "weight tertile")
    assert dict(allocation.parameters) == {"p_preferred": 0.8, "factor_weights": "equal"}
    assert allocation.sealed_record() == {
        "seed": 99,
        "user_seed": 99,
        "os_entropy": None,
        "bare_seed": True,
        "block_sizes": {},
    }


def test_seed_is_drawn_from_the_os_when_not_given() -> None:
    seeds_drawn = {randomize(roster_24(), ARMS_2).seed for _ in range(4)}
    assert len(seeds_drawn) == 4
    assert all(0 <= seed < 2**128 for seed in seeds_drawn)
    # Four 128-bit draws all below 2**64 would happen with probability 2**-256.
    assert max(seeds_drawn) >= 2**64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "coin"}, "unknown method 'coin'"),
        ({"arms": ["vehicle"]}, "two or more distinct"),
        ({"arms": ["a", "a"]}, "two or more distinct"),
        ({"seed": -1}, "seed must be an integer"),
        ({"seed": 2**128}, "seed must be an integer"),
        ({"seed": 2**128, "bare_seed": True}, "seed must be an integer"),
        ({"seed": None, "bare_seed": True}, "bare_seed needs a seed"),
        ({"strata": ["litter"]}, "strata \\['litter'\\] not accepted"),
        ({"block_multiples": [0]}, "block multiples"),
        ({"p_preferred": 0.3}, "p_preferred"),
        ({"entries": []}, "roster is empty"),
    ],
)
def test_bad_options_are_refused_with_what_is_accepted(change: dict[str, object], message: str) -> None:
    options: dict[str, object] = {"entries": roster_24(), "arms": ARMS_2, "seed": 1, **change}
    with pytest.raises((AllocationError, ValueError), match=message):
        randomize(**options)  # type: ignore[arg-type]


def test_cage_cluster_refuses_mixed_sex_cages_and_minimization_needs_weights() -> None:
    entries = roster_24()
    mixed = [*entries[:-1], RosterEntry("m23", "M", "C57BL/6J", date(2025, 1, 1), "c5", None, 20.0)]
    with pytest.raises(AllocationError, match="cages c5 hold more than one sex"):
        randomize(mixed, ARMS_2, "cage-cluster", seed=1)
    unweighed = [*entries[:-1], RosterEntry("m23", "M", "C57BL/6J", date(2025, 1, 1), "c5")]
    with pytest.raises(AllocationError, match="animals m23 have no weight_g"):
        randomize(unweighed, ARMS_2, "minimization", seed=1)
    with pytest.raises(AllocationError, match="duplicate animal IDs"):
        randomize([*entries, entries[0]], ARMS_2, seed=1)


def test_the_example_in_the_randomize_docstring_runs_as_written() -> None:
    finder = doctest.DocTestFinder(recurse=False)
    (example,) = finder.find(randomize)
    assert len(example.examples) >= 5
    runner = doctest.DocTestRunner()
    result = runner.run(example)
    assert result.failed == 0, (
        f"{result.failed} of {result.attempted} examples in randomize's docstring failed"
    )
