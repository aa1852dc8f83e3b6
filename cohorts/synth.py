"""Synthetic rosters for demos, tests and benchmarks: plausible C57BL/6J cohorts of any size.

Mice come in single-sex cages (`per_cage` to a cage), alternating male and female, with adult body weights
drawn around the strain's typical values at 8-10 weeks (males about 25 g, females about 20 g; The Jackson
Laboratory body-weight chart for C57BL/6J). Deterministic from `seed`.
"""

import csv
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from cohorts.roster import RosterEntry

ROSTER_FIELDS = ("animal_id", "ear_tag", "sex", "strain", "dob", "cage", "weight_g")
MEAN_WEIGHT_G = {"M": 25.0, "F": 20.0}
WEIGHT_SD_G = 1.5


def synthetic_roster(
    n_animals: int,
    per_cage: int = 4,
    seed: int = 0,
    strain: str = "C57BL/6J",
    born: date | None = None,
    with_weights: bool = True,
) -> list[RosterEntry]:
    """`n_animals` mice, half of each sex, IDs M001/F001..., `per_cage` to a single-sex cage."""
    if n_animals < 1 or per_cage < 1:
        raise ValueError(f"need at least one animal and one per cage, got {n_animals} and {per_cage}")
    draws = random.Random(seed)
    born = born or date.today() - timedelta(weeks=9)
    entries = []
    for index in range(n_animals):
        sex = "M" if index % 2 == 0 else "F"
        number = index // 2 + 1
        weight = round(draws.gauss(MEAN_WEIGHT_G[sex], WEIGHT_SD_G), 1) if with_weights else None
        entries.append(
            RosterEntry(
                animal_id=f"{sex}{number:03d}",
                sex=sex,
                strain=strain,
                dob=born,
                cage=f"{sex}{(number - 1) // per_cage + 1:02d}",
                ear_tag=f"T{index + 1}",
                weight_g=weight,
            )
        )
    return entries


def write_roster_csv(entries: Sequence[RosterEntry], path: Path, factor_name: str | None = None) -> Path:
    """Write a roster as the CSV `cohorts.roster.read_roster` reads (weight_g only when every row has one).

    With `factor_name`, a last column of that name holds each entry's `factor_level`.
    """
    with_weights = all(entry.weight_g is not None for entry in entries)
    fields = ROSTER_FIELDS if with_weights else ROSTER_FIELDS[:-1]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*fields, *([factor_name] if factor_name else [])])
        for entry in entries:
            row = [
                entry.animal_id,
                entry.ear_tag or "",
                entry.sex,
                entry.strain,
                entry.dob.isoformat(),
                entry.cage,
            ]
            cells = [*row, entry.weight_g] if with_weights else row
            writer.writerow([*cells, entry.factor_level or ""] if factor_name else cells)
    return path
