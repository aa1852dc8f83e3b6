"""The sealed payload: the draw's details stay inside, and every draw of a design seals to one size."""

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.balance import balance_report
from cohorts.randomization import METHODS, randomize
from cohorts.roster import RosterEntry
from cohorts.sealed_key import plaintext_length
from cohorts.sealed_payload import padded_plaintext_bytes, sealed_details
from tests.cohorts.strategies import rosters

ARM_SETS = [
    ("vehicle", "ketamine"),
    ("vehicle", "ketamine 3 mg/kg", "ketamine 10 mg/kg", "ketamine 30 mg/kg"),
]


def one_animal_per_cage(n: int) -> list[RosterEntry]:
    """The finest stratification a roster allows: every animal alone in its cage, long cage names."""
    return [
        RosterEntry(
            f"mouse-{i:03d}", "MF"[i % 2], "C57BL/6J", date(2025, 1, 1), f"cage Ω-{i:04d}", None, 20.0 + i
        )
        for i in range(n)
    ]


def test_the_details_hold_the_seed_the_blocks_and_the_balance() -> None:
    roster = one_animal_per_cage(12)
    drawn = randomize(roster, ARM_SETS[0], seed=5)
    balance = balance_report(roster, drawn.assignment, 2)
    details = sealed_details(drawn, balance)
    assert details["arms"] == ["vehicle", "ketamine"]
    assert details["balance"] == balance.as_dict()
    assert details["seed"] == drawn.seed and "block_sizes" in details


@settings(max_examples=40)
@given(
    roster=rosters(min_cages=2, max_cages=10),
    arms=st.sampled_from(ARM_SETS),
    method=st.sampled_from([m for m in METHODS if m != "cage-cluster"]),
    seed=st.integers(0, 2**128 - 1),
)
def test_no_draw_exceeds_the_padded_size(
    roster: list[RosterEntry], arms: tuple[str, ...], method: str, seed: int
) -> None:
    strata = ("sex", "cage")
    drawn = randomize(roster, arms, method=method, seed=seed, strata=strata)
    details = sealed_details(drawn, balance_report(roster, drawn.assignment, len(arms)))
    assert plaintext_length(drawn.assignment, details) <= padded_plaintext_bytes(roster, arms)


def test_the_finest_strata_with_user_seeds_still_fit() -> None:
    roster = one_animal_per_cage(40)
    for arms in ARM_SETS:
        bound = padded_plaintext_bytes(roster, arms)
        for seed in range(20):
            for method in ("stratified-block", "block", "complete", "minimization"):
                drawn = randomize(roster, arms, method=method, seed=2**128 - 1 - seed, strata=("sex", "cage"))
                details = sealed_details(drawn, balance_report(roster, drawn.assignment, len(arms)))
                assert plaintext_length(drawn.assignment, details) <= bound


def test_the_padded_size_depends_on_the_roster_and_arms_only() -> None:
    roster = one_animal_per_cage(16)
    assert padded_plaintext_bytes(roster, ARM_SETS[0]) == padded_plaintext_bytes(
        list(reversed(roster)), ARM_SETS[0]
    )
    assert padded_plaintext_bytes(roster, ARM_SETS[0]) < padded_plaintext_bytes(roster, ARM_SETS[1])
    assert padded_plaintext_bytes(roster[:8], ARM_SETS[0]) < padded_plaintext_bytes(roster, ARM_SETS[0])


def test_strata_with_a_long_factor_name_and_levels_still_fit() -> None:
    factor = "f" * 60
    roster = [
        replace(entry, factor_level=f"level Ω {index:02d} " + "x" * 47)
        for index, entry in enumerate(one_animal_per_cage(40))
    ]
    for arms in ARM_SETS:
        bound = padded_plaintext_bytes(roster, arms, factor)
        for method in ("stratified-block", "block", "minimization"):
            drawn = randomize(roster, arms, method=method, seed=7, strata=("sex", "cage"), factor=factor)
            details = sealed_details(drawn, balance_report(roster, drawn.assignment, len(arms)))
            assert plaintext_length(drawn.assignment, details) <= bound
