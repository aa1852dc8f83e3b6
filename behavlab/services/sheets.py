"""Writing sheets people open in spreadsheets, with a refused write as the app's one clear error."""

from collections.abc import Iterable, Sequence
from pathlib import Path

from behavlab.audit_head import ChainHead
from behavlab.services.library_errors import refused_writes
from writing import documents


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    mode: int | None = None,
    audit_head: ChainHead | None = None,
) -> Path:
    """Write a spreadsheet-safe CSV atomically, with file permissions `mode` when given.

    `mode` is e.g. `writing.atomic.PRIVATE_FILE_MODE`. An audit chain head goes after the table: an empty
    row, then the head line as the last row's only cell.
    """
    footer = () if audit_head is None else (audit_head.line,)
    with refused_writes():
        return documents.write_sheet(path, header, rows, mode=mode, footer=footer)


def write_text(path: Path, text: str, mode: int | None = None) -> Path:
    """Write to a temporary file beside `path`, then rename it: never a half-written file."""
    with refused_writes():
        return documents.write_text(path, text, mode)
