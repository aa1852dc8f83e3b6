"""Every text an HDF5 (NWB) file holds: group and dataset names, string attributes and string datasets."""

from pathlib import Path

import h5py
import numpy as np


def nwb_text(path: Path) -> str:
    """The file's names and strings, one per line (what a reader of the file could see)."""
    lines: list[str] = []

    def strings(value: object) -> list[str]:
        if isinstance(value, bytes):
            return [value.decode("utf-8", "replace")]
        if isinstance(value, str):
            return [value]
        if isinstance(value, np.ndarray) and value.dtype.kind in "OSU":
            return [s for item in value.ravel().tolist() for s in strings(item)]
        return []

    def visit(name: str, item: h5py.Group | h5py.Dataset) -> None:
        lines.append(name)
        for key, value in item.attrs.items():
            lines.extend([key, *strings(value)])
        if isinstance(item, h5py.Dataset) and item.dtype.kind in "OSU":
            lines.extend(strings(np.asarray(item[()])))

    with h5py.File(path, "r") as handle:
        for key, value in handle.attrs.items():
            lines.extend([key, *strings(value)])
        handle.visititems(visit)
    return "\n".join(lines)
