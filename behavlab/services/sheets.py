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
    notes: Sequence[str] = (),
) -> Path:
    """Write a spreadsheet-safe CSV atomically, with file permissions `mode` when given.

    `mode` is e.g. `writing.atomic.PRIVATE_FILE_MODE`. `notes` and an audit chain head go after the table: an
    empty row, then each note, then the head line, each as the only cell of its row (the head last).
    """
    footer = (*notes, *(() if audit_head is None else (audit_head.line,)))
    with refused_writes():
        return documents.write_sheet(path, header, rows, mode=mode, footer=footer)


def write_text(path: Path, text: str, mode: int | None = None) -> Path:
    """Write to a temporary file beside `path`, then rename it: never a half-written file."""
    with refused_writes():
        return documents.write_text(path, text, mode)
