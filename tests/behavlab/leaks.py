"""Finding what would unblind: lines that name an animal beside an arm, and columns that split the arms.

A column splits the arms when its values group the animals into groups of one arm each, or when, unique per
animal, sorting by them puts one arm first. A few animals can be split so by chance, so a split counts as a
leak only when fewer than CHANCE of PERMUTATIONS random relabellings of the same animals' arms are split as
well (a permutation test): a column equal to the arm on 24 animals is caught, a coincidence on five is not.
"""

import random
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

PERMUTATIONS = 4000
CHANCE = 1e-3


def lines_naming_an_animal(text_: str, names: set[str]) -> list[str]:
    """The lines of a text that mention any of the animals (by code or roster ID)."""
    return [line for line in text_.splitlines() if any(name in line for name in names)]


def _split(values: Sequence[tuple], arms: Sequence[str | int]) -> str | None:
    """How the values split these arms exactly (by groups, or by order), if they do."""
    groups: dict[tuple, set[str | int]] = {}
    for value, arm in zip(values, arms, strict=True):
        groups.setdefault(value, set()).add(arm)
    if 1 < len(groups) < len(values):
        return "its values determine the arm" if all(len(g) == 1 for g in groups.values()) else None
    if len(groups) == len(values) > 1:
        pairs = list(zip(values, arms, strict=True))
        try:
            pairs.sort(key=lambda pair: pair[0])
        except TypeError:  # numbers and text in one column: order them as text
            pairs.sort(key=lambda pair: repr(pair[0]))
        ordered = [arm for _, arm in pairs]
        separated = ordered in (sorted(ordered), sorted(ordered)[::-1])
        return "sorting by it separates the arms" if separated else None
    return None


def arm_separating_columns(
    rows_by_animal: Mapping[Hashable, Sequence[Mapping[str, Any]]], arm_of: Mapping[Hashable, str | int]
) -> list[str]:
    """Columns whose values (as groups) or whose order split the animals by arm beyond chance."""
    leaks = []
    draws = random.Random(20240917)
    animals = sorted(rows_by_animal, key=str)
    arms = [arm_of[animal] for animal in animals]
    columns = {column for rows in rows_by_animal.values() for row in rows for column in row}
    for column in sorted(columns):
        values = [
            tuple((row.get(column) is None, row.get(column)) for row in rows_by_animal[animal])
            for animal in animals
        ]
        how = _split(values, arms)
        if how is None:
            continue
        relabelled = list(arms)
        by_chance = 0
        for _ in range(PERMUTATIONS):
            draws.shuffle(relabelled)
            by_chance += _split(values, relabelled) is not None
        if by_chance < CHANCE * PERMUTATIONS:
            leaks.append(f"{column}: {how}")
    return leaks
