"""Which animals a list shows and in what order: the text to match and the column to sort by.

It imports nothing of the database, so the CLI can offer the sort columns as choices (and print its help)
without loading SQLAlchemy; `behavlab.services.animal_table` applies a view in its query.
"""

from dataclasses import dataclass
from enum import StrEnum


class AnimalOrder(StrEnum):
    """What animals are sorted by: ascending, those without a value last, ties by roster ID.

    `WEIGHT` is the latest live weight.
    """

    ANIMAL = "animal"
    CODE = "code"
    CAGE = "cage"
    SEX = "sex"
    WEIGHT = "weight"


@dataclass(frozen=True)
class AnimalView:
    """Which animals the table shows, and in what order.

    Those whose roster ID, code or current cage contains `matching` (empty: every animal), sorted by
    `order`. Case is folded by the database: ASCII letters on SQLite, every letter on PostgreSQL; text typed
    as stored always matches.
    """

    matching: str = ""
    order: AnimalOrder = AnimalOrder.ANIMAL

    @property
    def narrowed(self) -> bool:
        """Whether some animals may be left out."""
        return bool(self.matching.strip())
