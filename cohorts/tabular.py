"""Matching a sheet's header against its columns, and parsing the cells of each row with every fault recorded.

Rules shared by every sheet `cohorts` reads (roster, weights, sucrose-preference bottles); the file rules
(CSV or XLSX, encoding, size caps, cell text) are those of `cohorts.sheet_files`:

- Row 1 is the header. Header names are matched case-insensitively, with surrounding spaces ignored and inner
  runs of spaces or hyphens read as one underscore (``" Animal ID "`` is ``animal_id``).
- A column whose header is not accepted is refused, and the problem lists the accepted columns: a misspelled
  optional column would otherwise be dropped silently. A column with neither header nor values is ignored.
- Rows are numbered as a spreadsheet shows them (header = row 1), so a multi-line quoted CSV cell still counts
  as one row. Fully empty rows are skipped.
- Text cells may not hold control or invisible formatting characters (a stray byte-order mark, a zero-width
  space, a right-to-left override): two IDs that look the same must be the same. Free-text fields may hold
  line breaks and tabs. The rule is `cohorts.text_safety`, shared with every name the application stores.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from cohorts.precision import precision_accepted, within_precision
from cohorts.problems import Problem
from cohorts.sheet_files import read_records
from cohorts.text_safety import ACCEPTED_MULTILINE, ACCEPTED_ONE_LINE, unsafe_character

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:\d{2})?"
)


@dataclass(frozen=True)
class Columns:
    """The columns a sheet must have and the ones it may have, as normalized header names."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every accepted column, required first."""
        return self.required + self.optional

    def describe(self) -> str:
        """The accepted columns as a user reads them in an error message."""
        text = "columns " + ", ".join(self.required)
        if self.optional:
            text += " and optional " + ", ".join(self.optional)
        return text + " (header names in any case)"


@dataclass(frozen=True)
class Row:
    """One non-empty data row: its spreadsheet row number and its cells by normalized column name."""

    number: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class Table:
    """A sheet as read: where from, its data rows, and the problems found in its structure."""

    source: str
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]


def normalize_header(name: str) -> str:
    """A header as matched against column names: lower case, trimmed, inner spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_table(path: Path, columns: Columns, source: str | None = None) -> Table:
    """Read a CSV or XLSX file into rows of text cells, reporting structural faults instead of raising.

    The problems name the file `source`, or its path when ``None``.
    """
    source = str(path) if source is None else source
    records, problems = read_records(path, source)
    if problems:
        return Table(source, (), tuple(problems))
    return _table_from_records(source, records, columns)


def _table_from_records(source: str, records: list[list[str]], columns: Columns) -> Table:
    """Match the header against the accepted columns and turn the remaining records into rows."""
    if not any(any(record) for record in records):
        empty = Problem(source, None, None, "", "is an empty file", f"a header row with {columns.describe()}")
        return Table(source, (), (empty,))
    problems: list[Problem] = []
    positions = _column_positions(source, records, columns, problems)
    rows = _data_rows(source, records, positions, problems)
    if not rows and not problems:
        problems.append(
            Problem(source, None, None, "", "has no data rows below the header", "one row per entry")
        )
    return Table(source, rows, tuple(problems))


def _column_positions(
    source: str, records: list[list[str]], columns: Columns, problems: list[Problem]
) -> dict[str, int]:
    """The index of each accepted column in the header (row 1), recording every header fault."""
    positions: dict[str, int] = {}
    for index, raw in enumerate(records[0]):
        name = normalize_header(raw)
        if not name:
            if any(index < len(record) and record[index] for record in records[1:]):
                problems.append(
                    Problem(source, 1, None, "", "is an empty header above a column of values", "a header")
                )
        elif name not in columns.accepted:
            problems.append(Problem(source, 1, None, raw, "is not an accepted column", columns.describe()))
        elif name in positions:
            problems.append(
                Problem(source, 1, name, raw, "is a second column with this name", "each column once")
            )
        else:
            positions[name] = index
    for name in columns.required:
        if name not in positions:
            problems.append(
                Problem(source, 1, name, "", "is a required column that is missing", columns.describe())
            )
    return positions


def _data_rows(
    source: str, records: list[list[str]], positions: Mapping[str, int], problems: list[Problem]
) -> tuple[Row, ...]:
    """The non-empty records below the header as rows, recording each one wider than the header."""
    width = len(records[0])
    rows: list[Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(record):
            continue
        if any(record[width:]):
            issue = f"has {len(record)} values but the header has {width} columns"
            problems.append(Problem(source, number, None, ",".join(record), issue, "one value per header"))
        cells = {name: record[index] if index < len(record) else "" for name, index in positions.items()}
        rows.append(Row(number, cells))
    return tuple(rows)


@dataclass(frozen=True)
class CellFault:
    """Why a cell's text is refused and what would be accepted."""

    issue: str
    accepted: str


#: A required cell left empty.
EMPTY_CELL = CellFault("is empty", "a value (this field is required)")


def text_fault(value: str, max_length: int, multiline: bool = False) -> CellFault | None:
    """Why a non-empty text cell is refused (too long, a hidden character), or None when it is accepted."""
    if len(value) > max_length:
        return CellFault(f"is {len(value)} characters long", f"at most {max_length} characters")
    hidden = unsafe_character(value, multiline)
    if hidden is not None:
        accepted = ACCEPTED_MULTILINE if multiline else ACCEPTED_ONE_LINE
        return CellFault(f"is refused: {hidden.describe()}", f"{accepted} (retype the value)")
    return None


def read_number(
    value: str, low: float, high: float, unit: str, step: float | None = None
) -> float | CellFault:
    """A non-empty cell as a decimal number (point or comma) in ``[low, high]``, none finer than `step`."""
    accepted = f"a number from {low:g} to {high:g} {unit}"
    if not _NUMBER.fullmatch(value):
        return CellFault("is not a number", accepted)
    number = float(value.replace(",", "."))
    if not low <= number <= high:
        return CellFault("is outside the plausible range", accepted)
    if step is not None and not within_precision(number, step):
        return CellFault(f"is finer than {step:g} {unit}", precision_accepted(step, unit))
    return number


class RowReader:
    """Parses the cells of one row; each unusable cell adds a `Problem` and reads as ``None``.

    A column absent from the sheet reads as ``None`` without a row problem: the missing column is reported
    once, by `read_table`, rather than once per row.
    """

    def __init__(self, source: str, row: Row, problems: list[Problem]) -> None:
        self.source = source
        self.row = row
        self.problems = problems

    def problem(self, field: str, value: str, issue: str, accepted: str) -> None:
        """Record a fault in one field of this row."""
        self.problems.append(Problem(self.source, self.row.number, field, value, issue, accepted))

    def fault(self, field: str, value: str, fault: CellFault) -> None:
        """Record a refused cell of this row."""
        self.problem(field, value, fault.issue, fault.accepted)

    def _cell(self, field: str, required: bool) -> str | None:
        """The cell's text, or ``None`` (with a problem when required) if it is absent or empty."""
        value = self.row.cells.get(field)
        if value is None:
            return None
        if not value:
            if required:
                self.fault(field, value, EMPTY_CELL)
            return None
        return value

    def text(self, field: str, max_length: int, required: bool = True, multiline: bool = False) -> str | None:
        """A text cell of at most `max_length` visible characters (line breaks too when `multiline`)."""
        value = self._cell(field, required)
        if value is None:
            return None
        fault = text_fault(value, max_length, multiline)
        if fault is not None:
            self.fault(field, value, fault)
            return None
        return value

    def choice(
        self, field: str, choices: Mapping[str, str], accepted: str, required: bool = True
    ) -> str | None:
        """A cell from a fixed vocabulary, matched case-insensitively and mapped to its canonical form."""
        value = self._cell(field, required)
        if value is None:
            return None
        canonical = choices.get(value.casefold())
        if canonical is None:
            self.problem(field, value, "is not a known value", accepted)
        return canonical

    def number(
        self, field: str, low: float, high: float, unit: str, required: bool = True, step: float | None = None
    ) -> float | None:
        """A decimal number (point or comma) within ``[low, high]``; with `step`, none finer than it."""
        value = self._cell(field, required)
        if value is None:
            return None
        number = read_number(value, low, high, unit, step)
        if isinstance(number, CellFault):
            self.fault(field, value, number)
            return None
        return number

    def iso_date(self, field: str, earliest: date, latest: date, required: bool = True) -> date | None:
        """A ``YYYY-MM-DD`` date within ``[earliest, latest]``."""
        value = self._cell(field, required)
        if value is None:
            return None
        accepted = f"an ISO date YYYY-MM-DD from {earliest.isoformat()} to {latest.isoformat()}"
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            parsed = date.fromisoformat(value)
        except ValueError:
            self.problem(field, value, "is not a valid date", accepted)
            return None
        if parsed > latest:
            self.problem(field, value, "is in the future", accepted)
            return None
        if parsed < earliest:
            self.problem(field, value, "is implausibly long ago", accepted)
            return None
        return parsed

    def iso_datetime(
        self, field: str, latest: datetime, assume_tz: tzinfo | None, required: bool = True
    ) -> datetime | None:
        """An ISO date-time, made timezone-aware (naive values are read in `assume_tz`, or local time)."""
        value = self._cell(field, required)
        if value is None:
            return None
        accepted = "an ISO date-time such as 2024-03-01T09:30 or 2024-03-01 09:30+01:00, not in the future"
        try:
            if not _ISO_DATETIME.fullmatch(value):
                raise ValueError(value)
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.problem(field, value, "is not a valid date-time", accepted)
            return None
        if parsed.tzinfo is None:
            parsed = parsed.astimezone() if assume_tz is None else parsed.replace(tzinfo=assume_tz)
        if parsed > latest:
            self.problem(field, value, "is in the future", accepted)
            return None
        return parsed


def iter_readers(table: Table, problems: list[Problem]) -> Iterator[RowReader]:
    """A `RowReader` for each data row of `table`, all recording into `problems`."""
    for row in table.rows:
        yield RowReader(table.source, row, problems)
