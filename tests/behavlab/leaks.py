"""Finding what would unblind: lines that name an animal beside an arm, and columns that split the arms.

A column can split the arms by chance, so the tests are sized to make that negligible: a column's values are
said to determine the arm only when they group the animals (on average two or more per value) and every
group is one arm; its order only when it is unique per animal and at least ORDER_MIN_ANIMALS are compared
(a random balanced allocation of 20 animals is sorted by a given order with probability 2 / C(20, 10) = 1e-5).
"""

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

ORDER_MIN_ANIMALS = 20
GROUPS_MIN_ANIMALS = 4


def lines_naming_an_animal(text_: str, names: set[str]) -> list[str]:
    """The lines of a text that mention any of the animals (by code or roster ID)."""
    return [line for line in text_.splitlines() if any(name in line for name in names)]


def arm_separating_columns(
    rows_by_animal: Mapping[Hashable, Sequence[Mapping[str, Any]]], arm_of: Mapping[Hashable, str | int]
) -> list[str]:
    """Columns whose values (as groups) or whose order split the animals exactly by arm."""
    leaks = []
    columns = {column for rows in rows_by_animal.values() for row in rows for column in row}
    for column in sorted(columns):
        value_of = {
            animal: tuple((row.get(column) is None, row.get(column)) for row in rows)
            for animal, rows in rows_by_animal.items()
        }
        animals = sorted(value_of, key=str)
        groups: dict[tuple, set[str | int]] = {}
        for animal in animals:
            groups.setdefault(value_of[animal], set()).add(arm_of[animal])
        if len(animals) >= GROUPS_MIN_ANIMALS and 1 < len(groups) <= len(animals) / 2:
            if all(len(arms) == 1 for arms in groups.values()):
                leaks.append(f"{column}: its values determine the arm")
        elif len(groups) == len(animals) >= ORDER_MIN_ANIMALS:
            ordered_arms = [arm_of[animal] for animal in sorted(animals, key=lambda a: value_of[a])]
            if ordered_arms in (sorted(ordered_arms), sorted(ordered_arms, reverse=True)):
                leaks.append(f"{column}: sorting by it separates the arms")
    return leaks
