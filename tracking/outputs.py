"""Result files of a scored video: their names in the output folder, and writing each one atomically.

Every file is written under a temporary name in its own folder and then renamed over the final name, so a
reader (or a batch resumed after a crash) sees either the whole previous file or the whole new one, never
half of one. File names come from the input video's name only (its stem), so blind-coded video names stay the
only identifiers in the output folder.

Layout, for a video ``<stem>.<ext>`` scored into ``OUT/``::

    OUT/results.csv                 one row per video and animal (every video of the batch)
    OUT/bins.csv                    per-minute bins and 5-s time samples, long form
    OUT/<stem>.signal.npz           per-frame signal cache (``tracking.cache``), for rescoring
    OUT/<stem>.qc.png               signal, threshold and bouts per animal
    OUT/<stem>.rois.png             first frame with the ROIs drawn
    OUT/<stem>.<animal>.frames.csv  per-frame table (only when asked)
    OUT/<stem>.overlay.mp4          annotated video (only when asked)
    OUT/<stem>.json                 every parameter, the software version and the results; written last,
                                    so its presence marks the video as finished
"""

from __future__ import annotations

import errno
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracking.video_files import OVERLAY_SUFFIX

RESULTS_CSV = "results.csv"
BINS_CSV = "bins.csv"
DOCUMENT_FORMAT = "behavlab-video-score"
DOCUMENT_VERSION = 1
TEMPORARY_MARK = ".tmp"


class OutputWriteError(OSError):
    """A result file or its folder could not be written (read-only folder, full disk, no permission)."""

    def __str__(self) -> str:
        return str(self.strerror)


def write_failure(path: str | Path, error: OSError) -> OutputWriteError:
    """A failed write as one line naming the final file (never its temporary), why, and the fix."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        advice = "free some disk space or write to another folder"
    else:
        advice = "choose a folder you can write to"
    return OutputWriteError(error.errno, f"cannot write {path}: {reason}; {advice}")


def _new_file_mode() -> int:
    """The permissions an ordinary new file gets under this process's umask (read once, at import)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


#: Temporary files are created private (0600); the renamed result gets the mode any new file would.
NEW_FILE_MODE = _new_file_mode()


def atomic_write(path: str | Path, write: Callable[[Path], object], mode: int | None = None) -> Path:
    """Call ``write(temporary_path)`` then rename the temporary file to ``path``; no partial file remains.

    The temporary name keeps the final suffix (writers such as OpenCV pick the format from it) and starts
    with a dot, so folder listings and ``--resume`` ignore it. The file gets `mode` (by default the mode of
    any new file under the process umask). A failed write raises :class:`OutputWriteError` naming ``path``.
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
        if isinstance(error, OSError) and not isinstance(error, OutputWriteError):
            raise write_failure(path, error) from error
        raise
    return path


def ensure_output_folder(folder: str | Path) -> Path:
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


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, document: Mapping[str, Any]) -> Path:
    """Write a JSON document atomically (NaN and infinities as null, so any JSON reader accepts it)."""
    return write_text(path, json.dumps(jsonable(document), indent=2, allow_nan=False) + "\n")


def write_csv(path: str | Path, table: pd.DataFrame) -> Path:
    """Write a table as CSV atomically, without the index."""
    return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays, tuples and paths made JSON-ready; NaN becomes None."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


@dataclass(frozen=True)
class VideoOutputs:
    """The names of one video's result files in an output folder."""

    out_dir: Path
    stem: str

    @classmethod
    def for_video(cls, out_dir: str | Path, video: str | Path) -> VideoOutputs:
        """The output names of ``video`` (named after its file name without the suffix) in ``out_dir``."""
        return cls(Path(out_dir), Path(video).stem)

    @property
    def document(self) -> Path:
        """The per-video JSON: parameters, software version, results; its presence marks completion."""
        return self.out_dir / f"{self.stem}.json"

    @property
    def cache(self) -> Path:
        """The per-frame signal cache."""
        return self.out_dir / f"{self.stem}.signal.npz"

    @property
    def qc_png(self) -> Path:
        """The QC plot."""
        return self.out_dir / f"{self.stem}.qc.png"

    @property
    def rois_png(self) -> Path:
        """The first frame with the ROIs drawn."""
        return self.out_dir / f"{self.stem}.rois.png"

    @property
    def overlay(self) -> Path:
        """The annotated video."""
        return self.out_dir / f"{self.stem}{OVERLAY_SUFFIX}"

    def frames_csv(self, animal: str) -> Path:
        """The per-frame table of one animal."""
        return self.out_dir / f"{self.stem}.{animal}.frames.csv"


def load_document(path: str | Path) -> dict[str, Any]:
    """Read a per-video JSON document; ValueError naming the file when it is not one."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read result file {path}: {error}") from error
    if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
        raise ValueError(f"{path} is not a behavlab video result file (format {DOCUMENT_FORMAT!r})")
    if document.get("version") != DOCUMENT_VERSION:
        raise ValueError(
            f"{path} has result-file version {document.get('version')!r}; "
            f"this release reads {DOCUMENT_VERSION}"
        )
    return document


def write_summaries(out_dir: str | Path, documents: list[Mapping[str, Any]]) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``bins.csv`` for the given per-video documents, in their order."""
    out_dir = Path(out_dir)
    results = pd.DataFrame([row for doc in documents for row in doc["results"]])
    bins = pd.DataFrame([row for doc in documents for row in doc["bins"]])
    return write_csv(out_dir / RESULTS_CSV, results), write_csv(out_dir / BINS_CSV, bins)
