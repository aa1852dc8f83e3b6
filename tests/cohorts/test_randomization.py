"""Randomization: balance guarantees, cage integrity, reproducibility from the seed, the record."""

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts import __version__
from cohorts.randomization import METHODS, AllocationError, randomize, weight_tertiles
from cohorts.roster import RosterEntry, roster_sha256
from tests.cohorts.strategies import rosters

ARMS_2 = ("vehicle", "ketamine")
ARMS_3 = ("vehicle", "ketamine 3", "ketamine 10")
arm_sets = st.sampled_from([ARMS_2, ARMS_3])
seeds = st.integers(0, 2**63 - 1)
PROPERTY = settings(max_examples=60, deadline=None)


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
    allocation = randomize(entries, arms, "stratified-block", seed=seed)
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
    allocation = randomize(entries, arms, "cage-cluster", seed=seed)
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
    first = randomize(entries, arms, method, seed=seed)
    shuffled = entries[:]
    shuffler.shuffle(shuffled)
    again = randomize(shuffled, arms, method, seed=seed)
    assert again == first
    assert dict(again.assignment) == dict(first.assignment)
    assert again.roster_sha256 == first.roster_sha256 == roster_sha256(entries)


@PROPERTY
@given(rosters(), arm_sets, seeds)
def test_complete_and_block_keep_arm_sizes_close(
    entries: list[RosterEntry], arms: tuple[str, ...], seed: int
) -> None:
    complete = Counter(randomize(entries, arms, "complete", seed=seed).assignment.values())
    assert max(complete[a] for a in range(len(arms))) - min(complete[a] for a in range(len(arms))) <= 1
    block = randomize(entries, arms, "block", seed=seed)
    counts = Counter(block.assignment.values())
    per_arm = [counts[arm] for arm in range(len(arms))]
    assert max(per_arm) - min(per_arm) <= max(block.block_sizes["all"]) // len(arms)


def test_a_known_seed_gives_the_same_allocation_on_every_machine() -> None:
    # Pins the draw stream: a change here means old allocations could no longer be reproduced.
    allocation = randomize(roster_24(), ARMS_2, "stratified-block", seed=20250601)
    assert "".join(str(allocation.assignment[f"m{i:02d}"]) for i in range(24)) == "011000110011100101010011"
    assert dict(allocation.block_sizes) == {"sex=F": (4, 2, 2, 4), "sex=M": (4, 4, 2, 4)}


def test_different_seeds_give_different_allocations() -> None:
    allocations = {
        tuple(sorted(randomize(roster_24(), ARMS_2, seed=seed).assignment.items())) for seed in range(5)
    }
    assert len(allocations) == 5


def test_stratifying_by_sex_and_cage_makes_a_stratum_per_cage() -> None:
    allocation = randomize(roster_24(), ARMS_2, "stratified-block", seed=1, strata=("sex", "cage"))
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
        allocation = randomize(entries, ARMS_2, method, seed=seed, p_preferred=p_preferred)
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
    }
    sealed = allocation.sealed_record()
    assert sealed["seed"] == 987654321
    assert sealed["block_sizes"] == {label: list(sizes) for label, sizes in allocation.block_sizes.items()}
    # The seed regenerates the map, so neither it nor any animal may show up in a repr or log line.
    assert "987654321" not in repr(allocation) and "m00" not in repr(allocation)
    assert "987654321" not in str(allocation.record())
    with pytest.raises(TypeError):
        allocation.assignment["m00"] = 1  # type: ignore[index]


def test_minimization_records_its_factors_and_probability() -> None:
    allocation = randomize(roster_24(), ARMS_2, "minimization", seed=99)
    assert allocation.strata == ("sex", "weight tertile")
    assert dict(allocation.parameters) == {"p_preferred": 0.8, "factor_weights": "equal"}
    assert allocation.sealed_record() == {"seed": 99, "block_sizes": {}}


def test_seed_is_drawn_from_the_os_when_not_given() -> None:
    seeds_drawn = {randomize(roster_24(), ARMS_2).seed for _ in range(3)}
    assert len(seeds_drawn) == 3
    assert all(0 <= seed < 2**63 for seed in seeds_drawn)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "coin"}, "unknown method 'coin'"),
        ({"arms": ["vehicle"]}, "two or more distinct"),
        ({"arms": ["a", "a"]}, "two or more distinct"),
        ({"seed": -1}, "seed must be an integer"),
        ({"seed": 2**63}, "seed must be an integer"),
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
    with pytest.raises(AllocationError, match="cages c5 hold both sexes"):
        randomize(mixed, ARMS_2, "cage-cluster", seed=1)
    unweighed = [*entries[:-1], RosterEntry("m23", "M", "C57BL/6J", date(2025, 1, 1), "c5")]
    with pytest.raises(AllocationError, match="animals m23 have no weight_g"):
        randomize(unweighed, ARMS_2, "minimization", seed=1)
    with pytest.raises(AllocationError, match="duplicate animal IDs"):
        randomize([*entries, entries[0]], ARMS_2, seed=1)
