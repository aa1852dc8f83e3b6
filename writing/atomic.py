"""Atomic writes: a file is written under a temporary name in its own folder, then renamed.

A reader (or a run resumed after a crash) sees either the whole previous file or the whole new one, never half
of one. Every failed write is a :class:`WriteError` naming the final file, why, and what to do.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Temporary files carry this mark (and start with a dot), so listings and resumed runs ignore them.
TEMPORARY_MARK = ".tmp"


class WriteError(OSError):
    """A file or its folder could not be written (read-only folder, full disk, no permission)."""

    def __str__(self) -> str:
        return str(self.strerror)


def write_failure(path: str | Path, error: OSError) -> WriteError:
    """A failed write as one line naming the final file (never its temporary), why, and the fix."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        advice = "free some disk space or write to another folder"
    else:
        advice = "choose a folder you can write to"
    return WriteError(error.errno, f"cannot write {path}: {reason}; {advice}")


def _new_file_mode() -> int:
    """The permissions an ordinary new file gets under this process's umask (read once, at import)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


#: Temporary files are created private (0600); the renamed result gets the mode any new file would.
NEW_FILE_MODE = _new_file_mode()

#: The mode of a file only its owner may read (e.g. the preparer's sheet, which pairs codes with arms).
PRIVATE_FILE_MODE = 0o600


def atomic_write(path: str | Path, write: Callable[[Path], object], mode: int | None = None) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``; no partial file remains.

    Parameters
    ----------
    path
        The final file.
    write
        Writes the whole content to the path it is given.
    mode
        The final file's permissions; by default those of any new file under the process umask.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    WriteError
        The folder or file could not be written; the message names ``path``.

    Notes
    -----
    The temporary name keeps the final suffix (writers such as OpenCV pick the format from it) and starts with
    a dot, so folder listings and resumed runs ignore it.
    """
    path = Path(path)
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=f"{TEMPORARY_MARK}{path.suffix}", dir=path.parent
        )
        os.close(handle)
        temporary = Path(name)
        write(temporary)
        temporary.chmod(NEW_FILE_MODE if mode is None else mode)
        temporary.replace(path)
    except BaseException as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, WriteError):
            raise write_failure(path, error) from error
        raise
    return path


def ensure_folder(folder: str | Path) -> Path:
    """Create ``folder`` if needed and prove a file can be written in it, before any work is done."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(prefix=".write-check.", suffix=TEMPORARY_MARK, dir=folder) as probe:
            probe.write(b"behavlab")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        raise write_failure(f"in folder {folder}", error) from error
    return folder


def remove_temporaries(folder: str | Path) -> list[Path]:
    """Delete the hidden temporary files a killed run left in ``folder``; returns those removed."""
    removed = []
    for path in Path(folder).glob(f".*{TEMPORARY_MARK}*"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
