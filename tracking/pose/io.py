"""Reading and writing DeepLabCut pose files, and pairing videos with their pose files by name.

DeepLabCut stores predictions as a pandas table: one row per video frame, and columns indexed by a
``MultiIndex`` with the levels ``scorer``, ``bodyparts``, ``coords`` (single-animal projects) or ``scorer``,
``individuals``, ``bodyparts``, ``coords`` (multi-animal projects), where ``coords`` is ``x``, ``y`` and
``likelihood``. The ``.h5`` file is that table written by ``DataFrame.to_hdf`` under the key
``df_with_missing`` (PyTables' "table" format); the ``.csv`` file is the same table written by ``to_csv``, so
its first three or four rows are the column levels, each starting with the level's name.

File names are ``<video stem><scorer><suffix>.<ext>``: the scorer is ``DLC_<network>_<project><date>
shuffle<n>_<iterations>`` in DeepLabCut 2.x (e.g. ``DLC_resnet50_fstJan1shuffle1_500000``) and
``DLC_<Network>_<project><date>shuffle<n>_snapshot_<epoch or best-N>`` in 3.x (e.g.
``DLC_Resnet50_tinyNov25shuffle1_snapshot_best-10``); multi-animal tracks add ``_el`` (ellipse tracker) or
``_bx`` (box tracker), and ``deeplabcut.filterpredictions`` adds ``_filtered``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracking.video.files import VIDEO_SUFFIXES

POSE_SUFFIXES = (".h5", ".csv")
#: The HDF5 key DeepLabCut writes its table under.
DLC_H5_KEY = "df_with_missing"
#: Name given to the one individual of a single-animal file.
SINGLE_ANIMAL = "animal"
#: DeepLabCut's individual holding a multi-animal project's unique (not per-animal) body parts.
DLC_UNIQUE_BODYPARTS = "single"
COORDS = ("x", "y", "likelihood")
_LEVELS_SINGLE = ("scorer", "bodyparts", "coords")
_LEVELS_MULTI = ("scorer", "individuals", "bodyparts", "coords")
_NAME = re.compile(
    r"^(?P<video>.+?)(?P<scorer>DLC_.+?shuffle\d+_(?:snapshot_[^_]+(?:_detector_[^_]+)?|\d+))"
    r"(?P<suffix>(?:_(?:el|bx|sk|filtered))*)$"
)
#: Preference among variants of one scorer's output for a video: filtered tracks first, raw last.
_SUFFIX_RANK = {"_el_filtered": 0, "_bx_filtered": 0, "_filtered": 0, "_el": 1, "_bx": 1, "": 2}


class PoseFileError(ValueError):
    """A pose file, or a request on its tracks, that cannot be used; the message names file and problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True, eq=False)
class PoseTracks:
    """Pose tracks of one video: ``x``, ``y`` (pixels), ``likelihood``, each (frames, individuals, parts).

    With the names, frame rate, source file, scorer and the processing steps applied (``history``).
    """

    x: np.ndarray
    y: np.ndarray
    likelihood: np.ndarray
    bodyparts: tuple[str, ...]
    individuals: tuple[str, ...]
    fps: float | None = None
    source: str = ""
    scorer: str = ""
    history: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("x", "y", "likelihood"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        object.__setattr__(self, "bodyparts", tuple(str(b) for b in self.bodyparts))
        object.__setattr__(self, "individuals", tuple(str(i) for i in self.individuals))
        validate_tracks(self)

    @property
    def n_frames(self) -> int:
        """Number of frames (rows of the pose file)."""
        return int(self.x.shape[0])

    def timestamps(self) -> np.ndarray:
        """Frame times in seconds, ``frame / fps``; PoseFileError when the frame rate is unknown."""
        if self.fps is None:
            raise PoseFileError(
                self.source, "the frame rate is unknown: give fps (a pose file does not store it)"
            )
        return np.arange(self.n_frames, dtype=np.float64) / self.fps

    def select(
        self, individuals: Sequence[str] | None = None, bodyparts: Sequence[str] | None = None
    ) -> PoseTracks:
        """The tracks of some individuals and body parts (None: all); PoseFileError naming any missing."""
        ind = self._indices(individuals, self.individuals, "individual")
        parts = self._indices(bodyparts, self.bodyparts, "body part")

        def pick(values: np.ndarray) -> np.ndarray:
            return values[:, ind][:, :, parts]

        return PoseTracks(
            pick(self.x),
            pick(self.y),
            pick(self.likelihood),
            tuple(self.bodyparts[i] for i in parts),
            tuple(self.individuals[i] for i in ind),
            self.fps,
            self.source,
            self.scorer,
            self.history,
        )

    def _indices(self, wanted: Sequence[str] | None, names: tuple[str, ...], what: str) -> list[int]:
        if wanted is None:
            return list(range(len(names)))
        if isinstance(wanted, str):
            wanted = [wanted]
        missing = [w for w in wanted if w not in names]
        if missing:
            raise PoseFileError(
                self.source, f"no {what} {', '.join(map(repr, missing))}; the file has {', '.join(names)}"
            )
        return [names.index(w) for w in wanted]

    def replace(self, **changes: Any) -> PoseTracks:
        """A copy with some fields changed (validated again)."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return PoseTracks(**{**fields, **changes})

    def with_step(self, x: np.ndarray, y: np.ndarray, step: Mapping[str, Any]) -> PoseTracks:
        """A copy with new coordinates and ``step`` (the parameters applied) appended to the history."""
        return self.replace(x=x, y=y, history=(*self.history, dict(step)))


def validate_tracks(tracks: PoseTracks) -> None:
    """Raise PoseFileError when shapes, names, frame rate or likelihoods are inconsistent."""
    shape = tracks.x.shape
    problems = []
    if len(shape) != 3:
        problems.append(f"coordinates must be (n_frames, n_individuals, n_bodyparts), got shape {shape}")
    elif tracks.y.shape != shape or tracks.likelihood.shape != shape:
        problems.append(f"x {shape}, y {tracks.y.shape} and likelihood {tracks.likelihood.shape} differ")
    elif shape[1:] != (len(tracks.individuals), len(tracks.bodyparts)):
        problems.append(
            f"{len(tracks.individuals)} individuals and {len(tracks.bodyparts)} body parts named for "
            f"arrays of shape {shape}"
        )
    for what, names in (("individuals", tracks.individuals), ("body parts", tracks.bodyparts)):
        if len(set(names)) != len(names):
            problems.append(f"{what} are not unique: {', '.join(names)}")
    if tracks.fps is not None and not (np.isfinite(tracks.fps) and tracks.fps > 0):
        problems.append(f"fps must be a positive finite number, got {tracks.fps!r}")
    finite = tracks.likelihood[np.isfinite(tracks.likelihood)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        problems.append(f"likelihoods must lie in [0, 1]; found {finite.min():g} to {finite.max():g}")
    if problems:
        raise PoseFileError(tracks.source or "<pose tracks>", "; ".join(problems))


def read_dlc(path: str | Path, *, fps: float | None = None) -> PoseTracks:
    """Read a DeepLabCut ``.h5`` or ``.csv`` file (single- or multi-animal, any body parts) as PoseTracks.

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
    numbers = table.apply(pd.to_numeric, errors="coerce").astype(np.float64)
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
    table = _numeric(table.droplevel("scorer", axis=1), source)
    if "individuals" not in names:
        table = pd.concat({SINGLE_ANIMAL: table}, axis=1, names=["individuals"])
    keys = table.columns.droplevel("coords")
    individuals = tuple(str(i) for i in keys.get_level_values("individuals").unique())
    bodyparts = tuple(str(b) for b in keys.get_level_values("bodyparts").unique())
    present = {tuple(map(str, column)) for column in table.columns}
    missing = [
        f"{individual}/{part}/{coord}" if "individuals" in names else f"{part}/{coord}"
        for individual, part in dict.fromkeys((str(i), str(b)) for i, b in keys)
        for coord in COORDS
        if (individual, part, coord) not in present
    ]
    if missing:
        raise PoseFileError(source, f"missing coordinate columns: {', '.join(missing[:8])}")
    frames = _frame_numbers(table.index, source)
    grid = pd.MultiIndex.from_product(
        [individuals, bodyparts, COORDS], names=["individuals", "bodyparts", "coords"]
    )
    table.columns = pd.MultiIndex.from_tuples([tuple(map(str, c)) for c in table.columns], names=grid.names)
    values = np.full((int(frames.max()) + 1, len(grid)), np.nan)
    values[frames] = table.reindex(columns=grid).to_numpy(dtype=np.float64)
    values = values.reshape(values.shape[0], len(individuals), len(bodyparts), len(COORDS))
    x, y, likelihood = (values[..., k] for k in range(len(COORDS)))
    if not (np.isfinite(x) & np.isfinite(y)).any():
        raise PoseFileError(source, "no frame has a finite x and y for any body part (all NaN)")
    return PoseTracks(x, y, likelihood, bodyparts, individuals, fps, str(source), str(scorers[0]))


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


@dataclass(frozen=True)
class PoseFileName:
    """The parts of a DeepLabCut output name: video stem, scorer and suffix (``_el``, ``_filtered``...)."""

    video_stem: str
    scorer: str
    suffix: str


def parse_pose_name(path: str | Path) -> PoseFileName | None:
    """Split a DeepLabCut output file name into video stem, scorer and suffix; None if it is not one."""
    match = _NAME.match(Path(path).stem)
    if match is None:
        return None
    return PoseFileName(match["video"], match["scorer"], match["suffix"])


def find_pose_file(video: str | Path, folder: str | Path | None = None, *, scorer: str | None = None) -> Path:
    """The DeepLabCut file of ``video`` in ``folder`` (default: the video's folder), matched by name.

    ``scorer`` keeps only that scorer's outputs (e.g. the one ``deeplabcut.analyze_videos`` just returned).

    Notes
    -----
    Candidates are ``<video stem>DLC_...`` ``.h5`` or ``.csv`` files. Of one scorer's outputs the filtered
    tracks (``deeplabcut.filterpredictions``) are preferred, then the multi-animal tracks (``_el``, ``_bx``),
    then the raw predictions, and ``.h5`` over ``.csv`` (the same table). Outputs of two scorers (two models
    or snapshots) are ambiguous: PoseFileError lists them, and the pose file must be given explicitly.
    """
    video = Path(video)
    folder = Path(folder) if folder is not None else video.parent
    candidates = []
    for path in sorted(folder.glob(f"{glob_escape(video.stem)}DLC_*")):
        name = parse_pose_name(path)
        usable = (
            name is not None
            and name.video_stem == video.stem
            and name.suffix in _SUFFIX_RANK
            and scorer in (None, name.scorer)
        )
        if usable and path.suffix.lower() in POSE_SUFFIXES:
            candidates.append((name, path))
    if not candidates:
        named = scorer if scorer is not None else "DLC_<scorer>"
        raise PoseFileError(video, f"no DeepLabCut file named {video.stem}{named}.h5 or .csv in {folder}")
    scorers = sorted({name.scorer for name, _ in candidates})
    if len(scorers) > 1:
        raise PoseFileError(
            video,
            f"pose files of {len(scorers)} scorers in {folder} ({', '.join(scorers)}); give the pose file",
        )
    return min(candidates, key=lambda c: (_SUFFIX_RANK[c[0].suffix], c[1].suffix.lower() != ".h5"))[1]


def find_video_for_pose(pose: str | Path, folder: str | Path | None = None) -> Path | None:
    """The video a DeepLabCut file was made from, by name in ``folder`` (default: its own), or None."""
    pose = Path(pose)
    name = parse_pose_name(pose)
    if name is None:
        return None
    folder = Path(folder) if folder is not None else pose.parent
    videos = [
        path
        for path in sorted(folder.glob(f"{glob_escape(name.video_stem)}.*"))
        if path.suffix.lower() in VIDEO_SUFFIXES and path.stem == name.video_stem
    ]
    return videos[0] if videos else None


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped, for use as a literal in ``Path.glob``."""
    return re.sub(r"([*?\[])", r"[\1]", text)
