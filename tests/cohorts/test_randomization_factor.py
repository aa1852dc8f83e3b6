"""A non-randomized factor (stress x drug) as a stratum of every method, with 2 and 4 arms."""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from cohorts.allocation_methods import WEIGHT_TERTILE, weight_tertiles
from cohorts.randomization import Allocation, AllocationError, randomize
from cohorts.roster import RosterEntry

ARMS_2 = ("vehicle", "ketamine")
ARMS_4 = ("vehicle", "ketamine 3", "ketamine 10", "ketamine 30")
STRESS_LEVELS = ("CUS", "control")
SEEDS = range(8)


def stress_roster(n_cages: int = 16) -> list[RosterEntry]:
    """Cages of four of one sex and one stress level, every (sex, stress) pair equally often."""
    draw = random.Random(11)
    return [
        RosterEntry(
            f"s{cage:02d}{mate}",
            "MF"[cage % 2],
            "C57BL/6J",
            date(2025, 1, 1),
            f"c{cage:02d}",
            None,
            round(18 + draw.random() * 12, 1),
            factor_level=STRESS_LEVELS[cage // 2 % 2],
        )
        for cage in range(n_cages)
        for mate in range(4)
    ]


def arm_range(allocation: Allocation, animals: list[RosterEntry]) -> int:
    """The spread of arm sizes among `animals` (every arm counted, empty ones too)."""
    counts = Counter(allocation.assignment[entry.animal_id] for entry in animals)
    per_arm = [counts[arm] for arm in range(len(allocation.arms))]
    return max(per_arm) - min(per_arm)


def groups(entries: list[RosterEntry], key: Callable[[RosterEntry], object]) -> list[list[RosterEntry]]:
    found: dict[object, list[RosterEntry]] = {}
    for entry in entries:
        found.setdefault(key(entry), []).append(entry)
    return list(found.values())


@pytest.mark.parametrize("arms", [ARMS_2, ARMS_4])
@pytest.mark.parametrize("seed", SEEDS)
def test_stratified_block_is_balanced_within_each_sex_and_stress_stratum(
    arms: tuple[str, ...], seed: int
) -> None:
    entries = stress_roster()
    allocation = randomize(entries, arms, "stratified-block", seed=seed, bare_seed=True, factor="stress")
    assert allocation.strata == ("sex", "stress")
    assert sorted(allocation.block_sizes) == [
        f"sex={sex}, stress={level}" for sex in "FM" for level in STRESS_LEVELS
    ]
    for stratum in groups(entries, lambda entry: (entry.sex, entry.factor_level)):
        assert arm_range(allocation, stratum) <= 2


@pytest.mark.parametrize("arms", [ARMS_2, ARMS_4])
@pytest.mark.parametrize("seed", SEEDS)
def test_block_runs_within_stress_levels(arms: tuple[str, ...], seed: int) -> None:
    entries = stress_roster()
    allocation = randomize(entries, arms, "block", seed=seed, bare_seed=True, factor="stress")
    assert allocation.strata == ("stress",)
    for level in groups(entries, lambda entry: entry.factor_level):
        assert arm_range(allocation, level) <= 2


@pytest.mark.parametrize("arms", [ARMS_2, ARMS_4])
@pytest.mark.parametrize("seed", SEEDS)
def test_minimization_balances_the_stress_margin_with_sex_and_weight(
    arms: tuple[str, ...], seed: int
) -> None:
    entries = stress_roster()
    allocation = randomize(
        entries, arms, "minimization", seed=seed, bare_seed=True, p_preferred=1.0, factor="stress"
    )
    assert allocation.strata == ("sex", WEIGHT_TERTILE, "stress")
    tertiles = weight_tertiles(entries)
    margins: list[Callable[[RosterEntry], object]] = [
        lambda entry: entry.factor_level,
        lambda entry: entry.sex,
        lambda entry: tertiles[entry.animal_id],
    ]
    for margin, spread in zip(margins, (2, 2, 3), strict=True):
        for level in groups(entries, margin):
            assert arm_range(allocation, level) <= spread


@pytest.mark.parametrize("arms", [ARMS_2, ARMS_4])
@pytest.mark.parametrize("seed", SEEDS)
def test_cage_cluster_blocks_whole_cages_within_sex_and_stress(arms: tuple[str, ...], seed: int) -> None:
    entries = stress_roster(n_cages=32)
    allocation = randomize(entries, arms, "cage-cluster", seed=seed, bare_seed=True, factor="stress")
    assert allocation.strata == ("sex", "stress")
    for cage in groups(entries, lambda entry: entry.cage):
        assert len({allocation.assignment[mate.animal_id] for mate in cage}) == 1
    for stratum in groups(entries, lambda entry: (entry.sex, entry.factor_level)):
        cages = {entry.cage: allocation.assignment[entry.animal_id] for entry in stratum}
        counts = Counter(cages.values())
        assert (
            max(counts[arm] for arm in range(len(arms))) - min(counts[arm] for arm in range(len(arms))) <= 2
        )


def test_cage_cluster_refuses_a_cage_holding_two_stress_levels_naming_it() -> None:
    entries = stress_roster()
    entries[0] = replace(entries[0], factor_level="control")
    with pytest.raises(AllocationError, match=r"cages c00 hold more than one stress"):
        randomize(entries, ARMS_2, "cage-cluster", factor="stress")


@pytest.mark.parametrize("arms", [ARMS_2, ARMS_4])
def test_complete_is_unbalanced_by_design_but_records_the_factor(arms: tuple[str, ...]) -> None:
    allocation = randomize(stress_roster(), arms, "complete", seed=3, bare_seed=True, factor="stress")
    assert allocation.strata == ()
    assert allocation.record()["factor"] == "stress"


def test_a_study_without_a_factor_keeps_its_record_unchanged() -> None:
    record = randomize(stress_roster(), ARMS_2, "complete", seed=3, bare_seed=True).record()
    assert "factor" not in record


def test_animals_without_a_level_are_refused_naming_them() -> None:
    entries = stress_roster()
    entries[5] = replace(entries[5], factor_level=None)
    with pytest.raises(AllocationError, match=r"animals s011 have no level of it; accepted: .* stress level"):
        randomize(entries, ARMS_2, factor="stress")


def test_a_factor_named_like_a_roster_column_is_refused() -> None:
    with pytest.raises(ValueError, match="factor name 'cage' not accepted"):
        randomize(stress_roster(), ARMS_2, factor="cage")


@pytest.mark.parametrize("method", ["stratified-block", "minimization", "cage-cluster", "block", "complete"])
def test_the_factor_replays_from_the_seed(method: str) -> None:
    first = randomize(stress_roster(), ARMS_4, method, seed=9, bare_seed=True, factor="stress")
    again = randomize(stress_roster(), ARMS_4, method, seed=first.seed, bare_seed=True, factor="stress")
    assert again == first
