"""The allocation methods of `cohorts.randomization`, each a map of animals to arm indices from seeded draws.

Every method takes the roster in the order of its sorted IDs and the draws of one seed; the strata it names
may include the study's non-randomized factor, whose level an animal carries in `RosterEntry.factor_level`
(`factor_level` reads a stratum's level either way). See `cohorts.randomization` for the methods' design and
references.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cohorts.draws import SeededDraws
from cohorts.errors import CohortsError
from cohorts.roster import RosterEntry

#: The roster columns a stratified-block allocation may stratify on (besides the study's factor).
STRATA_FACTORS = ("sex", "cage")
WEIGHT_TERTILE = "weight tertile"


class AllocationError(CohortsError):
    """The roster or the options do not allow the requested randomization."""


@dataclass(frozen=True)
class Draft:
    """What one method produces: the assignment, the strata it used and the block sizes it drew."""

    assignment: dict[str, int]
    strata: tuple[str, ...] = ()
    block_sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    parameters: dict[str, object] = field(default_factory=dict)


def _permuted_blocks(
    n_units: int, n_arms: int, multiples: tuple[int, ...], draws: SeededDraws
) -> tuple[list[int], tuple[int, ...]]:
    """Arm indices for `n_units` units from permuted blocks of random size, and the block sizes drawn."""
    sequence: list[int] = []
    sizes: list[int] = []
    while len(sequence) < n_units:
        size = n_arms * draws.choice(multiples)
        block = [position % n_arms for position in range(size)]
        draws.shuffle(block)
        sequence.extend(block)
        sizes.append(size)
    return sequence[:n_units], tuple(sizes)


def complete(ordered: list[RosterEntry], n_arms: int, draws: SeededDraws) -> Draft:
    """Completely randomized design: equal arm sizes (random arms take the remainder), random order."""
    arm_order = list(range(n_arms))
    draws.shuffle(arm_order)
    larger = set(arm_order[: len(ordered) % n_arms])
    sequence = [arm for arm in range(n_arms) for _ in range(len(ordered) // n_arms + (arm in larger))]
    draws.shuffle(sequence)
    return Draft({entry.animal_id: arm for entry, arm in zip(ordered, sequence, strict=True)})


def factor_level(entry: RosterEntry, factor: str) -> object:
    """An animal's level of a stratum: a roster column of `STRATA_FACTORS`, else the study's own factor."""
    return getattr(entry, factor) if factor in STRATA_FACTORS else entry.factor_level


def stratum_label(entry: RosterEntry, factors: Sequence[str]) -> str:
    """An animal's stratum under the given factors, e.g. ``"sex=F, stress=CUS"``; ``"all"`` when none."""
    if not factors:
        return "all"
    return ", ".join(f"{factor}={factor_level(entry, factor)}" for factor in factors)


def _blocks_in_strata(
    units_by_stratum: Mapping[str, list[str]], n_arms: int, multiples: tuple[int, ...], draws: SeededDraws
) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """Each unit's arm by permuted blocks within its stratum (strata in sorted order), and the block sizes."""
    arms: dict[str, int] = {}
    block_sizes: dict[str, tuple[int, ...]] = {}
    for label in sorted(units_by_stratum):
        units = units_by_stratum[label]
        sequence, block_sizes[label] = _permuted_blocks(len(units), n_arms, multiples, draws)
        arms.update(zip(units, sequence, strict=True))
    return arms, block_sizes


def blocked(
    ordered: list[RosterEntry],
    n_arms: int,
    factors: tuple[str, ...],
    multiples: tuple[int, ...],
    draws: SeededDraws,
) -> Draft:
    """Permuted blocks within each stratum (one stratum when `factors` is empty)."""
    animals_by_stratum: dict[str, list[str]] = defaultdict(list)
    for entry in ordered:
        animals_by_stratum[stratum_label(entry, factors)].append(entry.animal_id)
    assignment, block_sizes = _blocks_in_strata(animals_by_stratum, n_arms, multiples, draws)
    return Draft(
        assignment, factors, block_sizes, {"block_multiples": list(multiples), "block_unit": "animal"}
    )


def cage_cluster(
    ordered: list[RosterEntry],
    n_arms: int,
    factors: tuple[str, ...],
    multiples: tuple[int, ...],
    draws: SeededDraws,
) -> Draft:
    """Whole cages to arms, by permuted blocks of cages within each stratum of `factors` (sex first)."""
    cages: dict[str, list[RosterEntry]] = defaultdict(list)
    for entry in ordered:
        cages[entry.cage].append(entry)
    for factor in factors:
        mixed = sorted(
            cage for cage, mates in cages.items() if len({factor_level(mate, factor) for mate in mates}) > 1
        )
        if mixed:
            raise AllocationError(
                f"cage-cluster blocks cages by {factor}, but cages {', '.join(mixed)} hold more than one "
                f"{factor}; accepted: cages of one {' and one '.join(factors)}, or another method"
            )
    cages_by_stratum: dict[str, list[str]] = defaultdict(list)
    for cage in sorted(cages):
        cages_by_stratum[stratum_label(cages[cage][0], factors)].append(cage)
    cage_arms, block_sizes = _blocks_in_strata(cages_by_stratum, n_arms, multiples, draws)
    assignment = {mate.animal_id: arm for cage, arm in cage_arms.items() for mate in cages[cage]}
    return Draft(assignment, factors, block_sizes, {"block_multiples": list(multiples), "block_unit": "cage"})


def weight_tertiles(entries: Sequence[RosterEntry]) -> dict[str, int]:
    """Each animal's body-weight tertile (0, 1, 2) by rank, ties broken by animal ID."""
    missing = sorted(entry.animal_id for entry in entries if entry.weight_g is None)
    if missing:
        raise AllocationError(
            f"minimization balances body weight, but animals {', '.join(missing)} have no weight_g; "
            "accepted: a roster (or latest weights) with a weight for every animal"
        )
    ranked = sorted(entries, key=lambda entry: (entry.weight_g, entry.animal_id))
    return {entry.animal_id: 3 * rank // len(ranked) for rank, entry in enumerate(ranked)}


def minimization(
    ordered: list[RosterEntry],
    n_arms: int,
    factors: tuple[str, ...],
    p_preferred: float,
    draws: SeededDraws,
) -> Draft:
    """Pocock-Simon minimization on sex, weight tertile and `factors`, animals taken in a random order."""
    tertiles = weight_tertiles(ordered)
    queue = list(ordered)
    draws.shuffle(queue)
    counts: dict[tuple[str, object], list[int]] = defaultdict(lambda: [0] * n_arms)
    assignment: dict[str, int] = {}
    for entry in queue:
        levels = [
            ("sex", entry.sex),
            (WEIGHT_TERTILE, tertiles[entry.animal_id]),
            *((factor, factor_level(entry, factor)) for factor in factors),
        ]
        scores = []
        for arm in range(n_arms):
            score = 0
            for level in levels:
                trial = list(counts[level])
                trial[arm] += 1
                score += max(trial) - min(trial)
            scores.append(score)
        preferred = [arm for arm in range(n_arms) if scores[arm] == min(scores)]
        others = [arm for arm in range(n_arms) if arm not in preferred]
        pool = preferred if not others or draws.uniform() < p_preferred else others
        arm = draws.choice(pool)
        assignment[entry.animal_id] = arm
        for level in levels:
            counts[level][arm] += 1
    return Draft(
        assignment,
        ("sex", WEIGHT_TERTILE, *factors),
        {},
        {"p_preferred": p_preferred, "factor_weights": "equal"},
    )
