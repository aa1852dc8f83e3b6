"""Text, JSON and CSV files written atomically (see :mod:`writing.atomic`)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writing.atomic import atomic_write
from writing.cells import typed_cell

if TYPE_CHECKING:
    import pandas as pd


def write_text(path: str | Path, text: str, mode: int | None = None) -> Path:
    """Write UTF-8 text atomically, newlines as given (with `mode` when given)."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""), mode)


def jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays, tuples and paths made JSON-ready; NaN becomes None."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # NumPy arrays and scalars
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: str | Path, document: Mapping[str, Any]) -> Path:
    """Write a JSON document atomically (NaN and infinities as null, so any JSON reader accepts it)."""
    return write_text(path, json.dumps(jsonable(document), indent=2, allow_nan=False) + "\n")


def write_table(path: str | Path, table: pd.DataFrame) -> Path:
    """Write a machine-read table as CSV atomically, without the index, values as pandas writes them."""
    return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def write_sheet(
    path: str | Path,
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    mode: int | None = None,
    footer: Sequence[str] = (),
) -> Path:
    """Write a CSV that people open in spreadsheets, atomically, every cell made safe.

    Cells pass :func:`writing.cells.typed_cell`: numbers stay numbers, formulas are defused.

    Parameters
    ----------
    path
        The CSV file.
    header, rows
        The column names and the rows, as cells (text or numbers).
    mode
        The file's permissions (e.g. :data:`writing.atomic.PRIVATE_FILE_MODE`); by default those of a new
        file.
    footer
        Lines written after the table, each as the only cell of its row, after one empty row.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([typed_cell(cell) for cell in header])
    writer.writerows([typed_cell(cell) for cell in row] for row in rows)
    if footer:
        writer.writerow([])
        writer.writerows([line] for line in footer)
    return write_text(path, buffer.getvalue(), mode)
