"""The raw cell grid of a CSV or XLSX sheet file, with every fault that prevents reading it as a `Problem`.

The file rules of every sheet `cohorts` reads (the header and row rules are in `cohorts.tabular`):

- The file type comes from the suffix: ``.csv`` (UTF-8, with or without a byte-order mark; the delimiter is
  whichever of comma, semicolon or tab the header line uses most; rows may end in CRLF, LF or CR, mixed) or
  ``.xlsx``/``.xlsm`` (first worksheet). Another encoding (Latin-1, UTF-16), a binary file or a damaged
  workbook is reported as a problem, never raised as a crash.
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
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from cohorts.problems import Problem

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_FILE_BYTES = 10_000_000
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 64
MAX_XLSX_UNPACKED_BYTES = 100_000_000
XLSX_MAX_ROWS = 1_048_576  # the most rows the XLSX format itself can address
CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", ";", "\t")
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_records(path: Path, source: str) -> tuple[list[list[str]], list[Problem]]:
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
    from openpyxl.utils import get_column_letter

    reference, last_column = f"{get_column_letter(column)}{row}", get_column_letter(MAX_SHEET_COLUMNS)
    beyond = [f"below the last accepted row ({MAX_SHEET_ROWS})"] if row > MAX_SHEET_ROWS else []
    if column > MAX_SHEET_COLUMNS:
        beyond.append(f"right of the last accepted column ({MAX_SHEET_COLUMNS}, {last_column})")
    issue = "is a cell " + " and ".join(beyond)
    accepted = (
        f"a sheet of at most {MAX_SHEET_ROWS} rows (header included) and {MAX_SHEET_COLUMNS} columns "
        f"(A to {last_column}); delete the cells beyond, or split the sheet"
    )
    return Problem(source, row, None, reference, issue, accepted)


def _xlsx_records(data: bytes, source: str) -> tuple[list[list[str]], list[Problem]]:
    """Read the first worksheet of an XLSX workbook into rows of cells.

    The first cell beyond MAX_SHEET_ROWS or MAX_SHEET_COLUMNS is refused.
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
        import openpyxl

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
