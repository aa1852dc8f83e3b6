"""The balance report: per-arm baseline, weight SMD, and arms named only by number."""

import math
from datetime import date

import pytest

from cohorts.balance import arm_label, balance_report, standardized_mean_difference
from cohorts.randomization import randomize
from cohorts.roster import RosterEntry

ROSTER = [
    RosterEntry("a", "M", "B6", date(2025, 1, 1), "c1", None, 20.0),
    RosterEntry("b", "M", "B6", date(2025, 1, 1), "c1", None, 22.0),
    RosterEntry("c", "F", "B6", date(2025, 1, 1), "c2", None, 24.0),
    RosterEntry("d", "M", "B6", date(2025, 1, 1), "c3", None, 21.0),
    RosterEntry("e", "F", "B6", date(2025, 1, 1), "c2", None, 25.0),
    RosterEntry("f", "F", "B6", date(2025, 1, 1), "c4", None, None),
]
ASSIGNMENT = {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1, "f": 1}


def test_per_arm_summary_and_smd() -> None:
    report = balance_report(ROSTER, ASSIGNMENT, 2)
    first, second = report.arms
    assert (first.label, first.n, first.females, first.males, first.n_weighed, first.cages) == (
        "arm 1",
        3,
        1,
        2,
        3,
        2,
    )
    assert first.weight_mean_g == pytest.approx(22.0)
    assert first.weight_sd_g == pytest.approx(2.0)
    assert (second.label, second.n, second.females, second.males, second.n_weighed, second.cages) == (
        "arm 2",
        3,
        2,
        1,
        2,
        3,
    )
    assert second.weight_mean_g == pytest.approx(23.0)
    assert second.weight_sd_g == pytest.approx(math.sqrt(8))
    (difference,) = report.weight_differences
    assert (difference.first, difference.second) == ("arm 1", "arm 2")
    assert difference.smd == pytest.approx(-1.0 / math.sqrt((4 + 8) / 2))


def test_report_text_names_arms_by_number_only() -> None:
    allocation = randomize(ROSTER[:5], ["saline", "ketamine"], "complete", seed=5)
    report = balance_report(ROSTER[:5], allocation.assignment, 2)
    text = "\n".join(report.lines()) + str(report.as_dict())
    assert "arm 1" in text and "arm 2" in text
    assert "saline" not in text and "ketamine" not in text
    assert not any(f"'{animal}'" in text for animal in "abcde")
    assert report.lines()[-1].startswith("weight SMD arm 1 vs arm 2: ")


def test_three_arms_give_three_pairwise_differences_and_missing_weights_read_na() -> None:
    report = balance_report(ROSTER, {"a": 0, "b": 1, "c": 2, "d": 0, "e": 1, "f": 2}, 3)
    assert [(d.first, d.second) for d in report.weight_differences] == [
        ("arm 1", "arm 2"),
        ("arm 1", "arm 3"),
        ("arm 2", "arm 3"),
    ]
    assert report.arms[2].weight_sd_g is None
    assert "arm 3: n=2, F 2, M 0, weight 24.0 g (n=1), cages 2" in report.lines()
    assert report.weight_differences[1].smd is None
    assert arm_label(0) == "arm 1"


def test_smd_needs_two_values_and_spread() -> None:
    assert standardized_mean_difference([1.0], [2.0, 3.0]) is None
    assert standardized_mean_difference([2.0, 2.0], [2.0, 2.0]) is None


def test_assignment_must_match_the_roster() -> None:
    with pytest.raises(ValueError, match="exactly the roster's animals"):
        balance_report(ROSTER, {**ASSIGNMENT, "f": 2}, 2)
    with pytest.raises(ValueError, match="exactly the roster's animals"):
        balance_report(ROSTER, {"a": 0}, 2)
