"""Reading a CSV or XLSX sheet into rows of text cells, and parsing those cells with every fault recorded.

Rules shared by every sheet `cohorts` reads (roster, weights, sucrose-preference bottles):

- The file type comes from the suffix: ``.csv`` (UTF-8, with or without a byte-order mark; the delimiter is
  whichever of comma, semicolon or tab the header line uses most; rows may end in CRLF, LF or CR, mixed) or
  ``.xlsx``/``.xlsm`` (first worksheet). Another encoding (Latin-1, UTF-16), a binary file or a damaged
  workbook is reported as a problem, never raised as a crash.
- Row 1 is the header. Header names are matched case-insensitively, with surrounding spaces ignored and inner
  runs of spaces or hyphens read as one underscore (``" Animal ID "`` is ``animal_id``).
- A column whose header is not accepted is refused, and the problem lists the accepted columns: a misspelled
  optional column would otherwise be dropped silently. A column with neither header nor values is ignored.
- Rows are numbered as a spreadsheet shows them (header = row 1), so a multi-line quoted CSV cell still counts
  as one row. Fully empty rows are skipped.
- Text cells may not hold control or invisible formatting characters (a stray byte-order mark, a zero-width
  space, a right-to-left override): two IDs that look the same must be the same. Free-text fields may hold
  line breaks and tabs. The rule is `cohorts.text_safety`, shared with every name the application stores.
- A sheet has at most MAX_SHEET_ROWS rows (header included) and MAX_SHEET_COLUMNS columns; the first cell
  beyond either (any XLSX cell, a non-empty CSV cell) is refused by its reference (``XFD1048576``). An XLSX
  workbook is read row by row within those bounds whatever size it declares (the declared size is optional
  and can lie), and its parts may unpack to at most MAX_XLSX_UNPACKED_BYTES.
- Cells are text, stripped and Unicode-NFC normalized; XLSX numbers and dates are turned into the text a
  user would type (``25.0`` -> ``"25"``, a date cell -> ``"2024-03-01"``), so a CSV and an XLSX of the same
  sheet read the same.
"""

import codecs
import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.utils import get_column_letter

from cohorts.problems import Problem
from cohorts.text_safety import ACCEPTED_MULTILINE, ACCEPTED_ONE_LINE, unsafe_character

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_FILE_BYTES = 10_000_000
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 64
MAX_XLSX_UNPACKED_BYTES = 100_000_000
XLSX_MAX_ROWS = 1_048_576  # the most rows the XLSX format itself can address
_LAST_COLUMN = get_column_letter(MAX_SHEET_COLUMNS)
CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", ";", "\t")
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
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


def read_table(path: Path, columns: Columns) -> Table:
    """Read a CSV or XLSX file into rows of text cells, reporting structural faults instead of raising."""
    source = str(path)
    records, problems = _read_records(path, source)
    if problems:
        return Table(source, (), tuple(problems))
    return _table_from_records(source, records, columns)


def _read_records(path: Path, source: str) -> tuple[list[list[str]], list[Problem]]:
    """The raw cell grid of a CSV or XLSX file, or the problem that prevents reading it."""
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        accepted = "a .csv (UTF-8) or .xlsx file"
        return [], [Problem(source, None, None, path.suffix, "is not a supported file type", accepted)]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            issue = f"is {size} bytes, too large for a study sheet"
            return [], [Problem(source, None, None, path.name, issue, f"at most {MAX_FILE_BYTES} bytes")]
        data = path.read_bytes()
    except OSError as error:
        issue = f"cannot be read ({error.strerror or error})"
        return [], [Problem(source, None, None, path.name, issue, "a readable file")]
    if suffix in CSV_SUFFIXES:
        return _csv_records(data, source)
    return _xlsx_records(data, source)


def _csv_records(data: bytes, source: str) -> tuple[list[list[str]], list[Problem]]:
    """Decode UTF-8 CSV bytes (with or without BOM) into rows of cells."""
    accepted = "a CSV file saved as UTF-8 text (in Excel: 'CSV UTF-8')"
    wide = next((name for bom, name in _WIDE_ENCODINGS if data.startswith(bom)), None)
    if wide is not None:
        return [], [Problem(source, None, None, "file encoding", f"is {wide} text, not UTF-8", accepted)]
    if b"\x00" in data:
        issue = "is not a text file (binary data, or UTF-16 text without a byte-order mark)"
        return [], [Problem(source, None, None, "binary data", issue, accepted)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        issue = f"is not UTF-8 text (byte 0x{byte} on line {line}; another encoding such as Latin-1?)"
        return [], [Problem(source, None, None, "file encoding", issue, accepted)]
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = max(_DELIMITERS, key=header_line.count)
    # newline="" lets the csv module end rows at CRLF, LF or a lone CR, even mixed in one file
    lines = io.StringIO(text, newline="")
    records: list[list[str]] = []
    try:
        for number, record in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            start = MAX_SHEET_COLUMNS if number <= MAX_SHEET_ROWS else 0
            beyond = next((i for i in range(start, len(record)) if record[i].strip()), None)
            if beyond is not None:
                return [], [_beyond_the_sheet(source, number, beyond + 1)]
            if number <= MAX_SHEET_ROWS:
                records.append([_clean(cell) for cell in record[:MAX_SHEET_COLUMNS]])
    except csv.Error as error:
        return [], [Problem(source, None, None, "CSV structure", f"cannot be parsed ({error})", accepted)]
    return records, []


def _beyond_the_sheet(source: str, row: int, column: int) -> Problem:
    """The problem of a cell past MAX_SHEET_ROWS or MAX_SHEET_COLUMNS, named by its reference."""
    reference = f"{get_column_letter(column)}{row}"
    beyond = [f"below the last accepted row ({MAX_SHEET_ROWS})"] if row > MAX_SHEET_ROWS else []
    if column > MAX_SHEET_COLUMNS:
        beyond.append(f"right of the last accepted column ({MAX_SHEET_COLUMNS}, {_LAST_COLUMN})")
    issue = "is a cell " + " and ".join(beyond)
    accepted = (
        f"a sheet of at most {MAX_SHEET_ROWS} rows (header included) and {MAX_SHEET_COLUMNS} columns "
        f"(A to {_LAST_COLUMN}); delete the cells beyond, or split the sheet"
    )
    return Problem(source, row, None, reference, issue, accepted)


def _xlsx_records(data: bytes, source: str) -> tuple[list[list[str]], list[Problem]]:
    """Read the first worksheet of an XLSX workbook into rows of cells, refusing the first cell beyond
    MAX_SHEET_ROWS or MAX_SHEET_COLUMNS.
    """
    accepted = "an .xlsx workbook saved by a spreadsheet"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # zipfile stops each part at its declared size, so the declared sizes bound what is unpacked
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            issue = f"unpacks to {unpacked} bytes, too large for a study sheet"
            limit = f"{accepted}, unpacking to at most {MAX_XLSX_UNPACKED_BYTES} bytes"
            return [], [Problem(source, None, None, "file content", issue, limit)]
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            records, beyond = _sheet_records(workbook.worksheets[0])
        finally:
            workbook.close()
    # openpyxl reports a damaged or foreign file through many exception types (zip, XML, key and value
    # errors); whichever it raises, the fault is in the user's file and is reported as such.
    except Exception as error:
        kind = "not an XLSX workbook" if isinstance(error, zipfile.BadZipFile) else "a damaged XLSX workbook"
        issue = f"is {kind} ({type(error).__name__})"
        return [], [Problem(source, None, None, "file content", issue, accepted)]
    if beyond is not None:
        return [], [_beyond_the_sheet(source, *beyond)]
    return records, []


def _sheet_records(sheet: "ReadOnlyWorksheet") -> tuple[list[list[str]], tuple[int, int] | None]:
    """The cells of a read-only worksheet as text, or the (row, column) of the first cell beyond the caps.

    The size a worksheet declares is ignored: openpyxl would pad every row to it (a one-cell sheet declaring
    ``A1:XFD1048576`` is 17 billion cells). Rows are read in order, each only as wide as its own last cell, up
    to the last row the format allows; a row beyond MAX_SHEET_ROWS is read only to find whether it holds a
    cell, which is refused, as is a row wider than MAX_SHEET_COLUMNS.
    """
    sheet.reset_dimensions()
    records: list[list[str]] = []
    for number, values in enumerate(sheet.iter_rows(max_row=XLSX_MAX_ROWS, values_only=True), start=1):
        if len(values) > MAX_SHEET_COLUMNS or (number > MAX_SHEET_ROWS and values):
            start = MAX_SHEET_COLUMNS if number <= MAX_SHEET_ROWS else 0
            column = next((i for i in range(start, len(values)) if values[i] is not None), len(values) - 1)
            return [], (number, column + 1)
        if number <= MAX_SHEET_ROWS:
            records.append([_xlsx_cell_text(value) for value in values])
    return records, None


def _xlsx_cell_text(value: object) -> str:
    """The text a user would have typed for an XLSX cell value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time(0) else value.isoformat()
    elif isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return _clean(text)


def _clean(text: str) -> str:
    """A cell's text as compared and stored: NFC-normalized and stripped."""
    return unicodedata.normalize("NFC", text).strip()


def _table_from_records(source: str, records: list[list[str]], columns: Columns) -> Table:
    """Match the header against the accepted columns and turn the remaining records into rows."""
    if not any(any(record) for record in records):
        empty = Problem(source, None, None, "", "is an empty file", f"a header row with {columns.describe()}")
        return Table(source, (), (empty,))
    header = records[0]
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
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
    rows: list[Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(record):
            continue
        if any(record[len(header) :]):
            issue = f"has {len(record)} values but the header has {len(header)} columns"
            problems.append(Problem(source, number, None, ",".join(record), issue, "one value per header"))
        cells = {name: record[index] if index < len(record) else "" for name, index in positions.items()}
        rows.append(Row(number, cells))
    if not rows and not problems:
        problems.append(
            Problem(source, None, None, "", "has no data rows below the header", "one row per entry")
        )
    return Table(source, tuple(rows), tuple(problems))


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

    def _cell(self, field: str, required: bool) -> str | None:
        """The cell's text, or ``None`` (with a problem when required) if it is absent or empty."""
        value = self.row.cells.get(field)
        if value is None:
            return None
        if not value:
            if required:
                self.problem(field, value, "is empty", "a value (this field is required)")
            return None
        return value

    def text(self, field: str, max_length: int, required: bool = True, multiline: bool = False) -> str | None:
        """A text cell of at most `max_length` visible characters (line breaks too when `multiline`)."""
        value = self._cell(field, required)
        if value is None:
            return None
        if len(value) > max_length:
            self.problem(field, value, f"is {len(value)} characters long", f"at most {max_length} characters")
            return None
        hidden = unsafe_character(value, multiline)
        if hidden is not None:
            accepted = ACCEPTED_MULTILINE if multiline else ACCEPTED_ONE_LINE
            self.problem(field, value, f"is refused: {hidden.describe()}", f"{accepted} (retype the value)")
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

    def number(self, field: str, low: float, high: float, unit: str, required: bool = True) -> float | None:
        """A decimal number (point or comma) within ``[low, high]``."""
        value = self._cell(field, required)
        if value is None:
            return None
        accepted = f"a number from {low:g} to {high:g} {unit}"
        if not _NUMBER.fullmatch(value):
            self.problem(field, value, "is not a number", accepted)
            return None
        number = float(value.replace(",", "."))
        if not low <= number <= high:
            self.problem(field, value, "is outside the plausible range", accepted)
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
