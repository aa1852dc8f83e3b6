"""Randomized allocation of a roster to arms, seeded, reproducible and recorded.

Methods (`METHODS`):

- ``complete``: a completely randomized design; arm sizes as equal as possible (the arms that get the
  remainder are drawn), order fully random.
- ``block``: permuted blocks over the whole roster, no strata.
- ``stratified-block`` (default): permuted blocks within each stratum (by sex by default; ``cage`` may be
  added), so each stratum is balanced to within one block.
- ``cage-cluster``: whole cages are the unit; cages are blocked by sex, so cage-mates are never split.
- ``minimization``: Pocock-Simon on sex and body-weight tertile with a random element.

A study's non-randomized between-animal factor (`factor`, e.g. ``stress`` with levels ``CUS`` and
``control``, each animal's level in `RosterEntry.factor_level`) is a stratum of every method: permuted blocks
run within its levels (``block``, ``stratified-block``), cages are blocked within sex and level
(``cage-cluster``; a cage holding two levels is refused), it is one of the margins minimized
(``minimization``), and ``complete``, unbalanced by design, records it.

Block sizes are a random multiple of the number of arms (by default 1x or 2x, drawn per block) so the next
allocation cannot be guessed at the end of a block; the last block of a stratum is cut short when the stratum
runs out. Animals are taken in the order of their sorted IDs, never in file order, so the allocation depends
only on the roster's content and the seed; the draws come from `cohorts.draws`, stable across machines.
Arms are indices ``0..k-1`` into the `arms` names given. The seed with the roster recomputes the whole
allocation, so it is kept sealed with the map (`Allocation.sealed_record`), not in the public record.

Seeds have 128 bits (`cohorts.draws`). Without a seed one is drawn from the operating system. A seed the
user chose is mixed with 128 bits of OS randomness (`cohorts.draws.mix_seed`), because a chosen seed can
be found by trying every likely value against anything the allocation shows; only with ``bare_seed=True``
is it used as given, and then anyone who learns or guesses it can recompute the allocation. Either way the
effective seed (`Allocation.seed`) replays the allocation when given back with ``bare_seed=True``.

Notes
-----
Strategies follow the ARRIVE 2.0 guidelines, item 4 (Percie du Sert et al. 2020, PLoS Biol
18:e3000411) and the design guidance of Festing & Altman (2002, ILAR J 43:244-258): blocking factors chosen
here should also enter the analysis. Random block sizes limit allocation guessing (Schulz & Grimes 2002,
Lancet 359:614-618). Cage-cluster allocation makes the cage the experimental unit (Lazic, Clarke-Williams &
Munafo 2018, PLoS Biol 16:e2005282). Minimization is that of Pocock & Simon (1975, Biometrics 31:103-115):
each animal, taken in random order, goes with probability `p_preferred` (0.8 by default) to an arm that
minimizes the summed range of arm counts over its own factor levels, otherwise to one of the other arms.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from cohorts import __version__
from cohorts.allocation_methods import (
    STRATA_FACTORS,
    AllocationError,
    Draft,
    blocked,
    cage_cluster,
    complete,
    minimization,
)
from cohorts.draws import SeededDraws, check_seed, mix_seed, new_seed
from cohorts.roster import RosterEntry, check_factor_name, roster_sha256

METHODS = ("complete", "block", "stratified-block", "cage-cluster", "minimization")
DEFAULT_METHOD = "stratified-block"
DEFAULT_STRATA = ("sex",)
DEFAULT_BLOCK_MULTIPLES = (1, 2)
DEFAULT_P_PREFERRED = 0.8


@dataclass(frozen=True)
class Allocation:
    """A randomization result and everything needed to reproduce and report it.

    Three parts differ in who may see them. `assignment` (animal ID -> arm index) is the secret itself, and
    `seed` and `block_sizes` can regenerate or narrow it (the seed and the roster recompute the whole map),
    so all three belong inside the sealed key (`sealed_record`) and are left out of `repr`, as are the
    user's own seed and the OS randomness mixed into it (`user_seed`, `os_entropy`; both None when the seed
    was drawn, `os_entropy` None when the user's seed was used bare). `record()` is the rest, safe to store
    and show before unmasking.
    """

    method: str
    arms: tuple[str, ...]
    strata: tuple[str, ...]
    block_sizes: Mapping[str, tuple[int, ...]] = field(repr=False)
    parameters: Mapping[str, object]
    seed: int = field(repr=False)
    library_version: str
    roster_sha256: str
    assignment: Mapping[str, int] = field(repr=False)
    user_seed: int | None = field(default=None, repr=False)
    os_entropy: int | None = field(default=None, repr=False)
    bare_seed: bool = False
    factor: str | None = None

    def __post_init__(self) -> None:
        for name in ("block_sizes", "parameters", "assignment"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def record(self) -> dict[str, object]:
        """The public, JSON-ready record of how the allocation was made: nothing that could reveal an arm."""
        return {
            "method": self.method,
            "arms": list(self.arms),
            "strata": list(self.strata),
            "parameters": dict(self.parameters),
            "library_version": self.library_version,
            "roster_sha256": self.roster_sha256,
            "n_animals": len(self.assignment),
            "user_seed_given": self.user_seed is not None,
            "bare_seed": self.bare_seed,
            **({} if self.factor is None else {"factor": self.factor}),
        }

    def sealed_record(self) -> dict[str, object]:
        """The JSON-ready details to keep sealed with the map until unmasking: seeds and block sizes used.

        ``seed`` is the effective seed (replays the allocation with ``bare_seed=True``); ``user_seed`` and
        ``os_entropy`` are what it was made from (None when not used).
        """
        return {
            "seed": self.seed,
            "user_seed": self.user_seed,
            "os_entropy": self.os_entropy,
            "bare_seed": self.bare_seed,
            "block_sizes": {stratum: list(sizes) for stratum, sizes in self.block_sizes.items()},
        }


def randomize(
    entries: Sequence[RosterEntry],
    arms: Sequence[str],
    method: str = DEFAULT_METHOD,
    seed: int | None = None,
    strata: Sequence[str] = DEFAULT_STRATA,
    block_multiples: Sequence[int] = DEFAULT_BLOCK_MULTIPLES,
    p_preferred: float = DEFAULT_P_PREFERRED,
    bare_seed: bool = False,
    factor: str | None = None,
) -> Allocation:
    """Allocate every animal of the roster to an arm; `AllocationError` names what would be accepted.

    Parameters
    ----------
    entries, arms
        The validated roster (in any order) and two or more distinct arm names, indexed by the allocation.
    method, strata, block_multiples, p_preferred
        One of `METHODS`; the factors of ``stratified-block``; block sizes as multiples of the number of
        arms (one drawn per block); the probability, 0.5 to 1, of a minimizing arm in ``minimization``.
    seed, bare_seed
        A seed in ``[0, 2**128)``, mixed with 128 bits of OS randomness unless `bare_seed`, when it is used
        as given and replays the allocation; without a seed, one is drawn from the OS.
    factor
        The name of the study's non-randomized factor, a stratum of every method (every animal then needs
        a `RosterEntry.factor_level`); None when the study has none.

    Returns
    -------
    Allocation
        The map animal ID -> arm index, with the record of how it was drawn (`Allocation.seed` replays it).

    Examples
    --------
    >>> from datetime import date
    >>> from cohorts.roster import RosterEntry
    >>> roster = [RosterEntry(f"M{n}", "MF"[n % 2], "B6", date(2025, 1, 6), f"C{n // 2}") for n in range(8)]
    >>> allocation = randomize(roster, ["vehicle", "compound"], seed=2025, bare_seed=True)
    >>> [allocation.arms[allocation.assignment[entry.animal_id]] for entry in roster]
    ['vehicle', 'compound', 'compound', 'vehicle', 'vehicle', 'compound', 'compound', 'vehicle']
    >>> randomize(roster, ["vehicle", "compound"], seed=allocation.seed, bare_seed=True) == allocation
    True
    """
    arms = tuple(arms)
    _check_options(entries, arms, method, strata, block_multiples, p_preferred)
    _check_factor(entries, factor)
    effective, os_entropy = _effective_seed(seed, bare_seed)
    options = _MethodOptions(tuple(strata), tuple(block_multiples), p_preferred, factor)
    draft = _draft(method, entries, len(arms), options, SeededDraws(effective))
    return Allocation(
        method=method,
        arms=arms,
        strata=draft.strata,
        block_sizes=draft.block_sizes,
        parameters=draft.parameters,
        seed=effective,
        library_version=__version__,
        roster_sha256=roster_sha256(entries),
        assignment=draft.assignment,
        user_seed=seed,
        os_entropy=os_entropy,
        bare_seed=bare_seed,
        factor=factor,
    )


@dataclass(frozen=True)
class _MethodOptions:
    """The options of the methods that take one: strata, block multiples and minimization's preference."""

    strata: tuple[str, ...]
    block_multiples: tuple[int, ...]
    p_preferred: float
    factor: str | None

    @property
    def factor_strata(self) -> tuple[str, ...]:
        """The non-randomized factor as a stratum, or no stratum when the study has none."""
        return () if self.factor is None else (self.factor,)


def _draft(
    method: str, entries: Sequence[RosterEntry], n_arms: int, options: _MethodOptions, draws: SeededDraws
) -> Draft:
    """Run one method over the roster taken in the order of its sorted IDs, never in file order."""
    ordered = sorted(entries, key=lambda entry: entry.animal_id)
    by_factor = options.factor_strata
    multiples = options.block_multiples
    methods: dict[str, Callable[[], Draft]] = {
        "complete": lambda: complete(ordered, n_arms, draws),
        "block": lambda: blocked(ordered, n_arms, by_factor, multiples, draws),
        "stratified-block": lambda: blocked(ordered, n_arms, (*options.strata, *by_factor), multiples, draws),
        "cage-cluster": lambda: cage_cluster(ordered, n_arms, ("sex", *by_factor), multiples, draws),
        "minimization": lambda: minimization(ordered, n_arms, by_factor, options.p_preferred, draws),
    }
    return methods[method]()


def _effective_seed(seed: int | None, bare_seed: bool) -> tuple[int, int | None]:
    """The seed the draws use, and the OS randomness mixed into the user's seed (None when none was)."""
    if seed is None:
        if bare_seed:
            raise AllocationError("bare_seed needs a seed to use as given; accepted: a seed, or no bare_seed")
        return new_seed(), None
    if bare_seed:
        check_seed(seed)
        return seed, None
    os_entropy = new_seed()
    return mix_seed(seed, os_entropy), os_entropy


def _check_options(
    entries: Sequence[RosterEntry],
    arms: tuple[str, ...],
    method: str,
    strata: Sequence[str],
    block_multiples: Sequence[int],
    p_preferred: float,
) -> None:
    """Refuse options and rosters that no method can allocate sensibly, naming what would be accepted."""
    if method not in METHODS:
        raise AllocationError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    if len(arms) < 2 or len(set(arms)) != len(arms) or not all(name.strip() for name in arms):
        raise AllocationError(f"arms must be two or more distinct, non-empty names, got {list(arms)!r}")
    if not entries:
        raise AllocationError("the roster is empty; there is nothing to allocate")
    ids = [entry.animal_id for entry in entries]
    if len(set(ids)) != len(ids):
        raise AllocationError("the roster has duplicate animal IDs; each animal must appear once")
    unknown = [factor for factor in strata if factor not in STRATA_FACTORS]
    if unknown or len(set(strata)) != len(strata):
        raise AllocationError(
            f"strata {list(strata)!r} not accepted; accepted: distinct names from {STRATA_FACTORS}"
        )
    if not block_multiples or not all(isinstance(m, int) and m >= 1 for m in block_multiples):
        raise AllocationError(f"block multiples must be integers of 1 or more, got {list(block_multiples)!r}")
    if not 0.5 <= p_preferred <= 1:
        raise AllocationError(f"p_preferred must be from 0.5 to 1, got {p_preferred!r}")


def _check_factor(entries: Sequence[RosterEntry], factor: str | None) -> None:
    """Refuse a factor that cannot be a stratum, or animals without a level of it, naming them."""
    if factor is None:
        return
    check_factor_name(factor)
    missing = sorted(entry.animal_id for entry in entries if entry.factor_level is None)
    if missing:
        raise AllocationError(
            f"{factor} is a stratum of every method, but animals {', '.join(missing)} have no level of it; "
            f"accepted: a roster with a {factor} level for every animal"
        )
