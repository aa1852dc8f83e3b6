"""Writing sheets people open in spreadsheets: atomically, and with formula injection defused."""

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from behavlab.services.files import refused_writes
from cohorts.spreadsheet import spreadsheet_safe
from tracking.outputs import atomic_write


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a spreadsheet-safe CSV atomically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return write_text(path, buffer.getvalue())


def write_text(path: Path, text: str) -> Path:
    """Write to a temporary file beside `path`, then rename it: never a half-written file."""
    with refused_writes():
        return atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8", newline=""))
