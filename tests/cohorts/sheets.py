"""Helpers that write test sheets as a user's spreadsheet program would: CSV (any encoding) or XLSX."""

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl

Cell = str | int | float | object | None


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    """Write a CSV file with the given encoding (``utf-8-sig`` adds a byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Path:
    """Write an XLSX workbook with one sheet; dates and numbers stay typed cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
