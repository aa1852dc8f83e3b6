"""Pose tracks of one video, as arrays of pixels and likelihoods, and the error for unusable pose input.

:class:`PoseTracks` is what every pose step works on: :mod:`tracking.pose.io` reads and writes it as
DeepLabCut's files, :mod:`tracking.pose.clean` filters it, :mod:`tracking.pose.speed` turns it into a signal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracking.errors import TrackingError


class PoseFileError(TrackingError, ValueError):
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

    def frame_rate(self) -> float:
        """The frame rate in frames per second; PoseFileError when it is unknown."""
        if self.fps is None:
            raise PoseFileError(
                self.source, "the frame rate is unknown: give fps (a pose file does not store it)"
            )
        return float(self.fps)

    def timestamps(self) -> np.ndarray:
        """Frame times in seconds, ``frame / fps``; PoseFileError when the frame rate is unknown."""
        return np.arange(self.n_frames, dtype=np.float64) / self.frame_rate()

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
