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
cohort      no        the cohort (batch) the animal is run in: one the study has, any case
==========  ========  ===============================================================

A study with a non-randomized between-animal factor (``factor_name``, e.g. ``stress``) also requires a
column of that name holding each animal's level (e.g. ``CUS`` or ``control``, <= 60 chars), spelled one way
throughout the file (levels differing only in case are refused).

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
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from cohorts.errors import CohortsError
from cohorts.precision import WEIGHT_PRECISION_G, WEIGHT_PRECISIONS_G
from cohorts.problems import InputError
from cohorts.tabular import Columns, RowReader, iter_readers, read_table

ROSTER_COLUMNS = Columns(
    required=("animal_id", "sex", "strain", "dob", "cage"),
    optional=("ear_tag", "weight_g", "source", "notes", "weighed_at"),
)
MIN_WEIGHT_G = 10.0
MAX_WEIGHT_G = 60.0
MAX_AGE = timedelta(days=4 * 365)
MAX_CHARS = {"animal_id": 60, "strain": 120, "cage": 60, "ear_tag": 60, "source": 200, "notes": 2000}
SEXES = {"m": "M", "male": "M", "f": "F", "female": "F"}
SEX_ACCEPTED = "M or F (also male or female), any case"
COHORT_COLUMN = "cohort"
MAX_LEVEL_CHARS = 60
#: Fields added to the roster after its hash was first published: hashed only when given.
_FIELDS_HASHED_WHEN_GIVEN = ("weighed_at", "factor_level", "cohort")
_FACTOR_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


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
    factor_level: str | None = None
    cohort: str | None = None


def check_weight_precision(precision_g: float) -> None:
    """Refuse a balance precision that is not one of `WEIGHT_PRECISIONS_G` (grams)."""
    if precision_g not in WEIGHT_PRECISIONS_G:
        accepted = ", ".join(f"{step:g}" for step in WEIGHT_PRECISIONS_G)
        raise CohortsError(f"weight precision {precision_g:g} g not accepted; accepted: {accepted} g")


def check_factor_name(name: str) -> None:
    """Refuse a factor name that cannot head a roster column of its own, naming what is accepted."""
    reserved = (*ROSTER_COLUMNS.accepted, COHORT_COLUMN)
    if not _FACTOR_NAME.fullmatch(name) or name in reserved:
        raise CohortsError(
            f"factor name {name!r} not accepted; accepted: a lower-case name of 1-60 letters, digits or _ "
            f"starting with a letter (it heads a roster column), other than {', '.join(reserved)}"
        )


def roster_columns(factor_name: str | None = None) -> Columns:
    """The roster's columns: the study's factor, when it names one, is required after the base columns."""
    factor = () if factor_name is None else (factor_name,)
    return Columns(
        required=(*ROSTER_COLUMNS.required, *factor), optional=(*ROSTER_COLUMNS.optional, COHORT_COLUMN)
    )


def read_roster(
    path: Path | str,
    today: date | None = None,
    now: datetime | None = None,
    assume_tz: tzinfo | None = None,
    precision_g: float = WEIGHT_PRECISION_G,
    factor_name: str | None = None,
    cohorts: Sequence[str] = (),
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
    factor_name, cohorts
        The study's non-randomized factor (its column is then required) and the names of its cohorts (a
        ``cohort`` cell must name one of them).

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
    table = read_table(Path(path), roster_columns(factor_name))
    problems = list(table.problems)
    entries: list[RosterEntry] = []
    first_row_of_id: dict[str, int] = {}
    study_columns = _StudyColumns(factor_name, cohorts)
    for reader in iter_readers(table, problems):
        animal_id = _unique_id(reader, first_row_of_id)
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
        study_cells = study_columns.read(reader)
        if (
            animal_id is not None
            and sex is not None
            and strain is not None
            and dob is not None
            and cage is not None
            and study_cells is not None
        ):
            base = (animal_id, sex, strain, dob, cage, ear_tag, weight_g, source, notes, weighed_at)
            entries.append(RosterEntry(*base, *study_cells))
    if problems:
        raise RosterError(problems)
    return tuple(entries)


def _unique_id(reader: RowReader, first_row_of_id: dict[str, int]) -> str | None:
    """The row's animal ID, refused when an earlier row has it (ignoring case)."""
    animal_id = reader.text("animal_id", MAX_CHARS["animal_id"])
    if animal_id is None:
        return None
    key = animal_id.casefold()
    if key in first_row_of_id:
        issue = f"is already the ID on row {first_row_of_id[key]}"
        reader.problem("animal_id", animal_id, issue, "a unique animal_id per row (ignoring case)")
        return None
    first_row_of_id[key] = reader.row.number
    return animal_id


class _StudyColumns:
    """Reads the columns a study adds: its factor's level (one spelling per level per file) and the cohort."""

    def __init__(self, factor_name: str | None, cohorts: Sequence[str]) -> None:
        self.factor_name = factor_name
        self.first_spelling: dict[str, tuple[str, int]] = {}
        self.cohorts = {name.casefold(): name for name in cohorts}
        self.cohorts_accepted = (
            f"one of the study's cohorts: {', '.join(cohorts) or '(none defined)'}, any case"
        )

    def read(self, reader: RowReader) -> tuple[str | None, str | None] | None:
        """The row's (factor level, cohort), each None when not given; None when either is refused."""
        level = self._level(reader)
        cohort = reader.choice(COHORT_COLUMN, self.cohorts, self.cohorts_accepted, required=False)
        refused_level = self.factor_name is not None and level is None
        refused_cohort = cohort is None and bool(reader.row.cells.get(COHORT_COLUMN))
        return None if refused_level or refused_cohort else (level, cohort)

    def _level(self, reader: RowReader) -> str | None:
        if self.factor_name is None:
            return None
        level = reader.text(self.factor_name, MAX_LEVEL_CHARS)
        if level is None:
            return None
        spelling, row = self.first_spelling.setdefault(level.casefold(), (level, reader.row.number))
        if spelling != level:
            reader.problem(
                self.factor_name,
                level,
                f"differs only in case from {spelling!r} on row {row}",
                "one spelling per level throughout the file",
            )
            return None
        return level


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
    """The entry as JSON values; the later fields only when given, so older rosters keep their hash."""
    record: dict[str, object] = {**asdict(entry), "dob": entry.dob.isoformat()}
    for field in _FIELDS_HASHED_WHEN_GIVEN:
        if record[field] is None:
            del record[field]
    if entry.weighed_at is not None:
        record["weighed_at"] = entry.weighed_at.isoformat()
    return record
