"""Reading and writing DeepLabCut pose files as :class:`~tracking.pose.tracks.PoseTracks`.

DeepLabCut stores predictions as a pandas table: one row per video frame, and columns indexed by a
``MultiIndex`` with the levels ``scorer``, ``bodyparts``, ``coords`` (single-animal projects) or ``scorer``,
``individuals``, ``bodyparts``, ``coords`` (multi-animal projects), where ``coords`` is ``x``, ``y`` and
``likelihood``. The ``.h5`` file is that table written by ``DataFrame.to_hdf`` under the key
``df_with_missing`` (PyTables' "table" format); the ``.csv`` file is the same table written by ``to_csv``, so
its first three or four rows are the column levels, each starting with the level's name. Which file belongs
to which video is :mod:`tracking.pose.files`' concern.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from tracking.pose.tracks import PoseFileError, PoseTracks

#: The HDF5 key DeepLabCut writes its table under.
DLC_H5_KEY = "df_with_missing"
#: Name given to the one individual of a single-animal file.
SINGLE_ANIMAL = "animal"
#: DeepLabCut's individual holding a multi-animal project's unique (not per-animal) body parts.
DLC_UNIQUE_BODYPARTS = "single"
COORDS = ("x", "y", "likelihood")
_LEVELS_SINGLE = ("scorer", "bodyparts", "coords")
_LEVELS_MULTI = ("scorer", "individuals", "bodyparts", "coords")


def read_dlc(path: str | Path, *, fps: float | None = None) -> PoseTracks:
    """Read a DeepLabCut ``.h5`` or ``.csv`` file (single- or multi-animal, any body parts) as PoseTracks.

    Parameters
    ----------
    path
        The pose file (``.h5``/``.hdf5`` or ``.csv``) as DeepLabCut wrote it.
    fps
        The video's frame rate in frames per second, which DeepLabCut does not store; None leaves the tracks
        without timestamps.

    Returns
    -------
    PoseTracks
        ``x`` and ``y`` in pixels of the video frame and ``likelihood`` (0-1), each (frames, individuals,
        body parts).

    Raises
    ------
    PoseFileError
        The file is missing, empty, of another type, or not a DeepLabCut table of a video's predictions.

    Notes
    -----
    Mathis et al. (2018), Nat. Neurosci. 21:1281-1289; Lauer et al. (2022), Nat. Methods 19:496-504
    (multi-animal). Rows are frame numbers: a file whose index skips frames gets NaN rows for them, so row
    ``i`` of the arrays is always frame ``i`` of the video. Individuals and body parts keep the file's order;
    in a multi-animal file each individual gets every body part of the file, NaN where it has none (DeepLabCut
    puts unique body parts under the individual ``single``). Every (individual, body part) needs ``x``, ``y``
    and ``likelihood``. The frame rate is not stored by DeepLabCut: give ``fps`` to get timestamps.
    """
    path = Path(path)
    if not path.is_file():
        raise PoseFileError(path, "no such file")
    if path.stat().st_size == 0:
        raise PoseFileError(path, "the file is empty (0 bytes)")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix in (".h5", ".hdf5"):
        table = _read_h5(path)
    else:
        raise PoseFileError(path, f"unknown pose file type {path.suffix!r}; accepted: .h5, .csv (DeepLabCut)")
    return tracks_from_dlc_frame(table, source=path, fps=fps)


def _read_h5(path: Path) -> pd.DataFrame:
    try:
        with pd.HDFStore(path, mode="r") as store:
            keys = [key.lstrip("/") for key in store.keys()]  # noqa: SIM118 - HDFStore iterates differently
            if not keys:
                raise PoseFileError(path, "the HDF5 file holds no pandas table")
            key = DLC_H5_KEY if DLC_H5_KEY in keys else keys[0]
            table = store.get(key)
    except ImportError as error:
        raise PoseFileError(
            path,
            f"reading DeepLabCut .h5 files needs PyTables (pip install tables), or read the .csv: {error}",
        ) from error
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as error:
        if isinstance(error, PoseFileError):
            raise
        raise PoseFileError(
            path, f"not a readable DeepLabCut HDF5 file ({type(error).__name__}: {error})"
        ) from error
    if not isinstance(table, pd.DataFrame):
        raise PoseFileError(path, f"the HDF5 key {key!r} holds a {type(table).__name__}, not a table")
    return table


def _csv_header_depth(path: Path) -> int:
    """Number of header rows of a DeepLabCut CSV, from the level names in their first cells."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        first_cells = [
            row[0].strip().lower() if row else ""
            for _, row in zip(range(5), csv.reader(handle), strict=False)
        ]
    names = []
    for cell in first_cells:
        if cell not in _LEVELS_MULTI:
            break
        names.append(cell)
    if tuple(names) not in (_LEVELS_SINGLE, _LEVELS_MULTI):
        found = ", ".join(repr(c) for c in first_cells[: max(len(names) + 1, 1)])
        raise PoseFileError(
            path,
            f"header rows start with {found}; a DeepLabCut CSV has the rows scorer, bodyparts, coords "
            "(single animal) or scorer, individuals, bodyparts, coords (multi-animal)",
        )
    return len(names)


def _read_csv(path: Path) -> pd.DataFrame:
    depth = _csv_header_depth(path)
    try:
        table = pd.read_csv(path, header=list(range(depth)), encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise PoseFileError(path, f"cannot parse the CSV ({error})") from error
    table = table.set_index(table.columns[0])
    table.index.name = None
    names = _LEVELS_SINGLE if depth == 3 else _LEVELS_MULTI
    table.columns = pd.MultiIndex.from_tuples([tuple(c) for c in table.columns], names=list(names))
    return table


def _numeric(table: pd.DataFrame, source: str | Path) -> pd.DataFrame:
    """The table as float64; PoseFileError naming the first cell that is not a number."""
    numbers: pd.DataFrame = table.apply(pd.to_numeric, errors="coerce").astype(np.float64)
    bad = numbers.isna().to_numpy() & table.notna().to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise PoseFileError(
            source,
            f"row {table.index[row]}, column {'/'.join(map(str, table.columns[col]))}: "
            f"{table.iat[row, col]!r} is not a number",
        )
    return numbers


def _frame_numbers(index: pd.Index, source: str | Path) -> np.ndarray:
    """Row labels as frame numbers; PoseFileError unless they are distinct non-negative integers."""
    values = pd.to_numeric(pd.Series(index), errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
        example = index[
            int(np.flatnonzero(np.isnan(values) | (values < 0) | (values != np.round(values)))[0])
        ]
        raise PoseFileError(
            source,
            f"row label {example!r} is not a frame number; DeepLabCut video predictions are indexed by frame "
            "(a labelled-data file indexed by image paths is not a video's predictions)",
        )
    frames = values.astype(np.int64)
    if np.unique(frames).size != frames.size:
        raise PoseFileError(source, "frame numbers repeat")
    return frames


def tracks_from_dlc_frame(
    table: pd.DataFrame, *, source: str | Path = "", fps: float | None = None
) -> PoseTracks:
    """PoseTracks from a DeepLabCut-style table (column levels scorer, [individuals,] bodyparts, coords)."""
    scorer = _single_scorer(table, source)
    numbers = _numeric(table.droplevel("scorer", axis=1), source)
    if "individuals" not in table.columns.names:
        numbers = pd.concat({SINGLE_ANIMAL: numbers}, axis=1, names=["individuals"])
    levels = [numbers.columns.get_level_values(name) for name in ("individuals", "bodyparts", "coords")]
    individuals, bodyparts = (tuple(str(name) for name in level.unique()) for level in levels[:2])
    named = [level.astype(str) for level in levels]
    _check_coordinates(named, "individuals" in table.columns.names, source)
    frames = _frame_numbers(numbers.index, source)
    grid = pd.MultiIndex.from_product(
        [individuals, bodyparts, COORDS], names=["individuals", "bodyparts", "coords"]
    )
    numbers.columns = pd.MultiIndex.from_arrays(named, names=grid.names)
    rows = np.full((int(frames.max()) + 1, len(grid)), np.nan)
    rows[frames] = numbers.reindex(columns=grid).to_numpy(dtype=np.float64)
    values = rows.reshape(rows.shape[0], len(individuals), len(bodyparts), len(COORDS))
    x, y, likelihood = (values[..., k] for k in range(len(COORDS)))
    if not (np.isfinite(x) & np.isfinite(y)).any():
        raise PoseFileError(source, "no frame has a finite x and y for any body part (all NaN)")
    return PoseTracks(x, y, likelihood, bodyparts, individuals, fps, str(source), scorer)


def _single_scorer(table: pd.DataFrame, source: str | Path) -> str:
    """The table's one scorer, after checking its column levels and that it has rows."""
    names = tuple(table.columns.names)
    if names not in (_LEVELS_SINGLE, _LEVELS_MULTI):
        raise PoseFileError(
            source,
            f"column levels are {list(names)}; expected {list(_LEVELS_SINGLE)} or {list(_LEVELS_MULTI)}",
        )
    if table.shape[0] == 0:
        raise PoseFileError(source, "the table has no rows (no frames)")
    scorers = table.columns.get_level_values("scorer").unique().tolist()
    if len(scorers) != 1:
        raise PoseFileError(
            source, f"expected one scorer, found {len(scorers)}: {', '.join(map(str, scorers))}"
        )
    return str(scorers[0])


def _check_coordinates(levels: list[pd.Index], multi_animal: bool, source: str | Path) -> None:
    """PoseFileError naming the first (individual, body part) columns that lack x, y or likelihood."""
    individuals, parts, coords = levels
    present = set(zip(individuals, parts, coords, strict=True))
    missing = [
        f"{individual}/{part}/{coord}" if multi_animal else f"{part}/{coord}"
        for individual, part in dict.fromkeys(zip(individuals, parts, strict=True))
        for coord in COORDS
        if (individual, part, coord) not in present
    ]
    if missing:
        raise PoseFileError(source, f"missing coordinate columns: {', '.join(missing[:8])}")


def dlc_frame(tracks: PoseTracks, *, multi_animal: bool | None = None) -> pd.DataFrame:
    """The tracks as DeepLabCut's table (multi-animal layout when there are several individuals)."""
    multi = len(tracks.individuals) > 1 if multi_animal is None else multi_animal
    if not multi and len(tracks.individuals) != 1:
        raise PoseFileError(tracks.source, "a single-animal table needs exactly one individual")
    stacked = np.stack([tracks.x, tracks.y, tracks.likelihood], axis=-1).reshape(tracks.n_frames, -1)
    scorer = tracks.scorer or "DLC_synthetic"
    if multi:
        columns = pd.MultiIndex.from_product(
            [[scorer], tracks.individuals, tracks.bodyparts, COORDS], names=list(_LEVELS_MULTI)
        )
    else:
        columns = pd.MultiIndex.from_product([[scorer], tracks.bodyparts, COORDS], names=list(_LEVELS_SINGLE))
    return pd.DataFrame(stacked, columns=columns)


def write_dlc(tracks: PoseTracks, path: str | Path, *, multi_animal: bool | None = None) -> Path:
    """Write the tracks as DeepLabCut does: ``.h5`` (key ``df_with_missing``, table format) or ``.csv``."""
    path = Path(path)
    table = dlc_frame(tracks, multi_animal=multi_animal)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        table.to_csv(path)
    elif path.suffix.lower() in (".h5", ".hdf5"):
        table.to_hdf(path, key=DLC_H5_KEY, format="table", mode="w")
    else:
        raise PoseFileError(path, f"unknown pose file type {path.suffix!r}; accepted: .h5, .csv")
    return path
