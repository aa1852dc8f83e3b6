"""Writing sheets people open in spreadsheets: atomically, and with formula injection defused."""

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from behavlab.audit_head import ChainHead
from behavlab.services.files import refused_writes
from cohorts.spreadsheet import spreadsheet_safe
from tracking.outputs import atomic_write

#: The mode of a file only its owner may read: the preparer's sheet pairs every code with its arm.
PRIVATE_FILE_MODE = 0o600


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    mode: int | None = None,
    audit_head: ChainHead | None = None,
) -> Path:
    """Write a spreadsheet-safe CSV atomically (with `mode`, e.g. `PRIVATE_FILE_MODE`, when given).

    An audit chain head goes after the table: an empty row, then the head line as the last row's only cell.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    if audit_head is not None:
        writer.writerows([[], [audit_head.line]])
    return write_text(path, buffer.getvalue(), mode)


def write_text(path: Path, text: str, mode: int | None = None) -> Path:
    """Write to a temporary file beside `path`, then rename it: never a half-written file."""
    with refused_writes():
        return atomic_write(
            path, lambda temporary: temporary.write_text(text, encoding="utf-8", newline=""), mode
        )
