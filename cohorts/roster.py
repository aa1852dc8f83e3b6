"""The study roster: reading and validating the list of animals, and the hash that identifies it.

A roster is a CSV or XLSX sheet (file rules of `cohorts.sheet_files` and `cohorts.tabular`) with one row per
mouse:

==========  ========  ===============================================================
column      required  accepted values
==========  ========  ===============================================================
animal_id   yes       the lab's ID, unique in the roster (ignoring case), <= 60 chars
sex         yes       M or F (also male/female), any case
strain      yes       text, <= 120 chars
dob         yes       date of birth, ISO YYYY-MM-DD, not in the future, < 4 years ago
cage        yes       cage label, <= 60 chars
ear_tag     no        text, <= 60 chars
weight_g    no        body weight in grams, 10 to 60
source      no        vendor or colony, <= 200 chars
notes       no        free text, <= 2000 chars
weighed_at  no        when weight_g was measured: ISO date-time, not in the future
==========  ========  ===============================================================

Any other column is refused, with the accepted columns listed: a misspelled ``weight_g`` dropped silently
would leave minimization without weights. Validation collects every problem in the file before deciding;
the roster is returned whole or `RosterError` is raised, never a part of it.

Notes
-----
The weight range brackets adult laboratory mice: C57BL/6J adults weigh about 18-35 g (The Jackson
Laboratory, body weight chart for stock 000664), heavier strains and aged or obese animals reach 50-60 g, and
below 10 g is a weanling or a typing slip (kg, mg, or a missing digit). The age limit is well past the median
C57BL/6J lifespan of about 2.5 years (Yuan et al. 2009, Aging Cell 8:277-287), so an older date of birth is
a typing slip.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from cohorts.errors import CohortsError
from cohorts.problems import InputError
from cohorts.tabular import Columns, iter_readers, read_table

ROSTER_COLUMNS = Columns(
    required=("animal_id", "sex", "strain", "dob", "cage"),
    optional=("ear_tag", "weight_g", "source", "notes", "weighed_at"),
)
MIN_WEIGHT_G = 10.0
MAX_WEIGHT_G = 60.0
#: The precision every weight is read to (a lab balance's 0.1 g); to become a study setting.
WEIGHT_PRECISION_G = 0.1
#: The precisions a study may weigh to, in grams (an analytical balance to a kitchen scale).
WEIGHT_PRECISIONS_G = (0.001, 0.01, 0.1, 1.0)
MAX_AGE = timedelta(days=4 * 365)
MAX_CHARS = {"animal_id": 60, "strain": 120, "cage": 60, "ear_tag": 60, "source": 200, "notes": 2000}
SEXES = {"m": "M", "male": "M", "f": "F", "female": "F"}
SEX_ACCEPTED = "M or F (also male or female), any case"


class RosterError(InputError):
    """A roster file was refused; `problems` lists every fault found in it."""


@dataclass(frozen=True)
class RosterEntry:
    """One validated mouse of the roster; `weighed_at` is aware, or ``None`` when the roster gives no time."""

    animal_id: str
    sex: str
    strain: str
    dob: date
    cage: str
    ear_tag: str | None = None
    weight_g: float | None = None
    source: str | None = None
    notes: str | None = None
    weighed_at: datetime | None = None


def check_weight_precision(precision_g: float) -> None:
    """Refuse a balance precision that is not one of `WEIGHT_PRECISIONS_G` (grams)."""
    if precision_g not in WEIGHT_PRECISIONS_G:
        accepted = ", ".join(f"{step:g}" for step in WEIGHT_PRECISIONS_G)
        raise CohortsError(f"weight precision {precision_g:g} g not accepted; accepted: {accepted} g")


def read_roster(
    path: Path | str,
    today: date | None = None,
    now: datetime | None = None,
    assume_tz: tzinfo | None = None,
    precision_g: float = WEIGHT_PRECISION_G,
) -> tuple[RosterEntry, ...]:
    """Read and validate a roster file (columns and accepted values: see the module).

    Parameters
    ----------
    path
        The CSV or XLSX roster (``weight_g`` in grams).
    today
        The date dates of birth are checked against (default: today).
    now
        ``weighed_at`` times after this are refused (default: the current time).
    assume_tz
        The timezone of naive ``weighed_at`` times (default: the machine's local time).
    precision_g
        The balance's precision, in grams: a finer weight is refused.

    Returns
    -------
    tuple of RosterEntry
        Every animal of the roster, in file order.

    Raises
    ------
    RosterError
        The roster has faults; every faulty row and field is listed, and no entry is returned.
    """
    today = date.today() if today is None else today
    now = datetime.now(UTC) if now is None else now
    table = read_table(Path(path), ROSTER_COLUMNS)
    problems = list(table.problems)
    entries: list[RosterEntry] = []
    first_row_of_id: dict[str, int] = {}
    for reader in iter_readers(table, problems):
        animal_id = reader.text("animal_id", MAX_CHARS["animal_id"])
        if animal_id is not None:
            key = animal_id.casefold()
            if key in first_row_of_id:
                issue = f"is already the ID on row {first_row_of_id[key]}"
                reader.problem("animal_id", animal_id, issue, "a unique animal_id per row (ignoring case)")
                animal_id = None
            else:
                first_row_of_id[key] = reader.row.number
        sex = reader.choice("sex", SEXES, SEX_ACCEPTED)
        strain = reader.text("strain", MAX_CHARS["strain"])
        dob = reader.iso_date("dob", earliest=today - MAX_AGE, latest=today)
        cage = reader.text("cage", MAX_CHARS["cage"])
        ear_tag = reader.text("ear_tag", MAX_CHARS["ear_tag"], required=False)
        weight_g = reader.number(
            "weight_g", MIN_WEIGHT_G, MAX_WEIGHT_G, "g", required=False, step=precision_g
        )
        source = reader.text("source", MAX_CHARS["source"], required=False)
        notes = reader.text("notes", MAX_CHARS["notes"], required=False, multiline=True)
        weighed_at = reader.iso_datetime("weighed_at", latest=now, assume_tz=assume_tz, required=False)
        if weighed_at is not None and not reader.row.cells.get("weight_g"):
            value = reader.row.cells["weighed_at"]
            reader.problem(
                "weighed_at", value, "is given without a weight_g", "a weighed_at only with a weight_g"
            )
        if (
            animal_id is not None
            and sex is not None
            and strain is not None
            and dob is not None
            and cage is not None
        ):
            entry = RosterEntry(
                animal_id, sex, strain, dob, cage, ear_tag, weight_g, source, notes, weighed_at
            )
            entries.append(entry)
    if problems:
        raise RosterError(problems)
    return tuple(entries)


def roster_sha256(entries: Sequence[RosterEntry]) -> str:
    """SHA-256 of the roster's content, independent of row order and of the file format it came from.

    Parameters
    ----------
    entries
        The roster's entries.

    Returns
    -------
    str
        The hash as 64 lower-case hex digits.
    """
    records = [_hashed_record(entry) for entry in sorted(entries, key=lambda entry: entry.animal_id)]
    canonical = json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_record(entry: RosterEntry) -> dict[str, object]:
    """The entry as JSON values; ``weighed_at`` only when given, so untimed rosters keep their hash."""
    record: dict[str, object] = {**asdict(entry), "dob": entry.dob.isoformat()}
    if entry.weighed_at is None:
        del record["weighed_at"]
    else:
        record["weighed_at"] = entry.weighed_at.isoformat()
    return record
