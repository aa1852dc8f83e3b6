"""Test data the tests write themselves (rosters from cohorts.synth, weight sheets), and sheets read back."""

import csv
from datetime import datetime, time, timedelta
from pathlib import Path

from behavlab.audit_head import HEAD_LABEL
from cohorts.synth import synthetic_roster, write_roster_csv


def earlier_today(minutes: float) -> datetime:
    """Local now less ``minutes``, but not before today's midnight: a weighing that counts as today's."""
    now = datetime.now().astimezone()
    return max(now - timedelta(minutes=minutes), datetime.combine(now.date(), time(0), now.tzinfo))


def later_today(minutes: float) -> datetime:
    """Local now plus ``minutes``, but not past the end of today: a dose on the day of a weighing made now."""
    now = datetime.now().astimezone()
    return min(now + timedelta(minutes=minutes), datetime.combine(now.date(), time(23, 59, 59), now.tzinfo))


def roster_rows(n_animals: int, per_cage: int = 4) -> list[dict[str, str]]:
    """The synthetic roster of `n_animals` as CSV cells, ready to be broken by a test."""
    return [
        {
            "animal_id": e.animal_id,
            "ear_tag": e.ear_tag or "",
            "sex": e.sex,
            "strain": e.strain,
            "dob": e.dob.isoformat(),
            "cage": e.cage,
            "weight_g": f"{e.weight_g}",
        }
        for e in synthetic_roster(n_animals, per_cage)
    ]


def baseline_weights(n_animals: int) -> dict[str, float]:
    """Animal ID -> the roster weight of the synthetic roster of `n_animals`."""
    return {e.animal_id: e.weight_g or 0.0 for e in synthetic_roster(n_animals)}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows (dicts with the same keys) as a CSV with a header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_roster(path: Path, n_animals: int = 8, per_cage: int = 4, with_weights: bool = True) -> Path:
    """A valid roster CSV of `n_animals` mice, with or without the optional weight_g column."""
    return write_roster_csv(synthetic_roster(n_animals, per_cage, with_weights=with_weights), path)


def write_weights(path: Path, weights: dict[str, float], measured_at: datetime | None = None) -> Path:
    """A weight sheet: animal_id -> grams, optionally all at one aware time."""
    rows = [
        {"animal_id": label, "weight_g": f"{grams:.2f}"}
        | ({"measured_at": measured_at.isoformat()} if measured_at else {})
        for label, grams in weights.items()
    ]
    return write_csv(path, rows)


def sheet_rows(path: Path) -> list[dict[str, str]]:
    """The table of a CSV sheet behavlab wrote (dosing, preparer's): the rows above its empty row.

    Below that row come the sheet's footer lines (the dosing sheet's protocol), the audit chain head last.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    table_end = rows.index([]) if [] in rows else len(rows)
    footer = rows[table_end + 1 :]
    if not footer or not footer[-1][0].startswith(HEAD_LABEL):
        raise AssertionError(f"{path.name} does not end with the audit chain head")
    return [dict(zip(header, row, strict=True)) for row in rows[:table_end]]
