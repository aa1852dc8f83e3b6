"""Writing sheets people open in spreadsheets: atomically, and with formula injection defused."""

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from behavlab.errors import InvalidInputError
from cohorts.spreadsheet import spreadsheet_safe


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a spreadsheet-safe CSV atomically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return write_text(path, buffer.getvalue())


def write_text(path: Path, text: str) -> Path:
    """Write to a temporary file beside `path`, then rename it: never a half-written file."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temporary = Path(name)
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
            stream.write(text)
        temporary.replace(path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise InvalidInputError(
            f"cannot write {path}: {exc.strerror or exc}; choose a writable folder"
        ) from exc
    return path
