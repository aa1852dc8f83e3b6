"""Test data the tests write themselves: rosters and weight sheets for a study of any size."""

import csv
from datetime import date, datetime
from pathlib import Path

ROSTER_HEADER = ["animal_id", "ear_tag", "sex", "strain", "dob", "cage", "weight_g"]


def roster_rows(n_animals: int, per_cage: int = 4) -> list[dict[str, str]]:
    """`n_animals` mice, half male and half female, `per_cage` to a single-sex cage, 19-27 g."""
    rows = []
    for index in range(n_animals):
        sex = "M" if index % 2 == 0 else "F"
        same_sex_index = index // 2
        cage = f"{sex}{same_sex_index // per_cage + 1:02d}"
        rows.append(
            {
                "animal_id": f"{sex}{same_sex_index + 1:03d}",
                "ear_tag": f"T{index + 1}",
                "sex": sex,
                "strain": "C57BL/6J",
                "dob": date(2026, 9, 1).isoformat(),
                "cage": cage,
                "weight_g": f"{(24.0 if sex == 'M' else 20.0) + (index % 7) * 0.5:.1f}",
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows (dicts with the same keys) as a CSV with a header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_roster(path: Path, n_animals: int = 8, per_cage: int = 4, with_weights: bool = True) -> Path:
    """A valid roster CSV of `n_animals` mice, with or without the optional weight_g column."""
    rows = roster_rows(n_animals, per_cage)
    if not with_weights:
        rows = [{key: value for key, value in row.items() if key != "weight_g"} for row in rows]
    return write_csv(path, rows)


def write_weights(path: Path, weights: dict[str, float], measured_at: datetime | None = None) -> Path:
    """A weight sheet: animal_id -> grams, optionally all at one aware time."""
    rows = [
        {"animal_id": label, "weight_g": f"{grams:.2f}"}
        | ({"measured_at": measured_at.isoformat()} if measured_at else {})
        for label, grams in weights.items()
    ]
    return write_csv(path, rows)
