"""The balance report of an allocation: how alike the arms are at baseline, with arms shown only as numbers.

The report is shown before an allocation is committed and stored with it, so it names arms "arm 1", "arm 2",
... (index + 1), never by treatment, and lists no animal.

Notes
-----
The standardized mean difference of body weight between two arms is
``(mean_a - mean_b) / sqrt((sd_a**2 + sd_b**2) / 2)``, the balance diagnostic recommended over significance
tests by Austin (2009, Stat Med 28:3083-3107); an absolute value above about 0.1 is usually read as imbalance.
"""

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from cohorts.roster import RosterEntry


def arm_label(index: int) -> str:
    """The only name an arm has in a report before unmasking: ``"arm 1"`` for index 0."""
    return f"arm {index + 1}"


@dataclass(frozen=True)
class ArmSummary:
    """Baseline description of one arm: size, sexes, body weight and the number of cages it draws from."""

    label: str
    n: int
    females: int
    males: int
    n_weighed: int
    weight_mean_g: float | None
    weight_sd_g: float | None
    cages: int


@dataclass(frozen=True)
class WeightDifference:
    """The standardized mean difference of body weight between two arms (``None`` when not estimable)."""

    first: str
    second: str
    smd: float | None


@dataclass(frozen=True)
class BalanceReport:
    """Per-arm summaries and the pairwise weight SMDs."""

    arms: tuple[ArmSummary, ...]
    weight_differences: tuple[WeightDifference, ...]

    def lines(self) -> list[str]:
        """The report as text lines for a terminal or a stored record."""
        lines = []
        for arm in self.arms:
            weight = "weight n/a"
            if arm.weight_mean_g is not None:
                spread = "" if arm.weight_sd_g is None else f" +- {arm.weight_sd_g:.1f}"
                weight = f"weight {arm.weight_mean_g:.1f}{spread} g (n={arm.n_weighed})"
            lines.append(
                f"{arm.label}: n={arm.n}, F {arm.females}, M {arm.males}, {weight}, cages {arm.cages}"
            )
        for difference in self.weight_differences:
            smd = "n/a" if difference.smd is None else f"{difference.smd:+.2f}"
            lines.append(f"weight SMD {difference.first} vs {difference.second}: {smd}")
        return lines

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "arms": [vars(arm) for arm in self.arms],
            "weight_differences": [vars(difference) for difference in self.weight_differences],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "BalanceReport":
        """The report back from `as_dict` data (as revealed at unmasking)."""
        return cls(
            tuple(ArmSummary(**arm) for arm in data["arms"]),
            tuple(WeightDifference(**difference) for difference in data["weight_differences"]),
        )


def standardized_mean_difference(first: Sequence[float], second: Sequence[float]) -> float | None:
    """SMD of two samples with the pooled SD of Austin (2009); ``None`` with fewer than 2 values or SD 0."""
    if len(first) < 2 or len(second) < 2:
        return None
    pooled = math.sqrt((statistics.variance(first) + statistics.variance(second)) / 2)
    if pooled == 0:
        return None
    return (statistics.fmean(first) - statistics.fmean(second)) / pooled


def balance_report(
    entries: Sequence[RosterEntry], assignment: Mapping[str, int], n_arms: int
) -> BalanceReport:
    """Summarize each arm's baseline from the roster and an animal -> arm index map."""
    if {entry.animal_id for entry in entries} != set(assignment) or not set(assignment.values()) <= set(
        range(n_arms)
    ):
        raise ValueError(
            f"the assignment must map exactly the roster's animals to arm indices 0..{n_arms - 1}"
        )
    members: list[list[RosterEntry]] = [[] for _ in range(n_arms)]
    for entry in entries:
        members[assignment[entry.animal_id]].append(entry)
    weights = [[entry.weight_g for entry in arm if entry.weight_g is not None] for arm in members]
    summaries = tuple(
        ArmSummary(
            label=arm_label(index),
            n=len(arm),
            females=sum(entry.sex == "F" for entry in arm),
            males=sum(entry.sex == "M" for entry in arm),
            n_weighed=len(weights[index]),
            weight_mean_g=statistics.fmean(weights[index]) if weights[index] else None,
            weight_sd_g=statistics.stdev(weights[index]) if len(weights[index]) > 1 else None,
            cages=len({entry.cage for entry in arm}),
        )
        for index, arm in enumerate(members)
    )
    differences = tuple(
        WeightDifference(arm_label(a), arm_label(b), standardized_mean_difference(weights[a], weights[b]))
        for a, b in combinations(range(n_arms), 2)
    )
    return BalanceReport(summaries, differences)
