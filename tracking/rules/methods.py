"""The scoring methods: their names as a type, and the one registry saying what each takes and who runs it.

``motion`` scores the changed-pixel fraction of each ROI of a video; ``pose`` scores DeepLabCut tracks, each
video paired with its pose file by name, or a pose file alone. Both end in the same bout rule and the same
:class:`tracking.rules.result.VideoScore`.

The registry is light: it names the module that implements each method (its :data:`ENGINE`, a
:class:`MethodEngine`) and imports it only when a video is scored, so presets and the command line can list
and check methods without loading decoders or pose readers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeGuard, get_args

if TYPE_CHECKING:
    from tracking.batch.cache import SignalCache
    from tracking.batch.jobs import VideoJob
    from tracking.rules.presets import ScoringParams
    from tracking.rules.result import VideoScore
    from tracking.rules.starts import AnimalStart
    from tracking.video.rois import ROI

#: A scoring method's name.
MethodName = Literal["motion", "pose"]
#: Every method's name, in the order they are offered.
METHOD_NAMES: tuple[MethodName, ...] = get_args(MethodName)


class Rescorer(Protocol):
    """Scores a video's cached per-frame signal with new parameters, without decoding it again."""

    def __call__(
        self,
        video: str | Path,
        cache: SignalCache,
        params: ScoringParams,
        *,
        rois: Sequence[ROI],
        video_info: Mapping[str, Any],
        method: MethodName,
        starts: Mapping[str, AnimalStart] | None = None,
        failed: Mapping[str, str] | None = None,
    ) -> VideoScore:
        """The video's scores from ``cache`` with ``params``, each animal's test counted from its start.

        ``starts`` are the test starts by label (missing: the first frame); labels in ``failed`` are not
        scored.
        """
        ...


@dataclass(frozen=True)
class MethodEngine:
    """What a method's module provides to score a job and rescore a cached signal.

    ``split_overrides`` separates keyword overrides into (signal options, scoring parameters);
    ``signal_options`` completes the signal options for a preset (name, options given, preset directory);
    ``signal_option_names`` are the options that change the signal itself (rescoring cannot change them).
    """

    score: Callable[[VideoJob], VideoScore]
    rescore: Rescorer
    split_overrides: Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
    signal_options: Callable[[str, Mapping[str, Any], str | Path | None], dict[str, Any]]
    signal_option_names: tuple[str, ...]


@dataclass(frozen=True)
class Method:
    """A scoring method: what its inputs are, which options describe a camera, and the module that runs it.

    ``pose_files`` says whether each input pairs with a DeepLabCut file (or is one); ``camera_options`` are
    signal options that describe a set-up rather than a behaviour, never kept in a calibrated preset.
    """

    name: MethodName
    pose_files: bool
    camera_options: tuple[str, ...]
    engine_module: str

    def engine(self) -> MethodEngine:
        """The method's implementation (imported on first use)."""
        engine = importlib.import_module(self.engine_module).ENGINE
        if not isinstance(engine, MethodEngine):
            raise TypeError(f"{self.engine_module}.ENGINE is not a MethodEngine")
        return engine

    def preset_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The signal options a calibrated preset keeps: all but the camera's (:attr:`camera_options`)."""
        return {key: value for key, value in options.items() if key not in self.camera_options}


#: The scoring methods by name.
METHODS: dict[MethodName, Method] = {
    "motion": Method("motion", pose_files=False, camera_options=(), engine_module="tracking.motion.scoring"),
    "pose": Method(
        "pose",
        pose_files=True,
        camera_options=("px_per_cm", "tank_diameter_px", "tank_diameter_cm", "fps"),
        engine_module="tracking.pose.batch",
    ),
}


def is_method_name(name: object) -> TypeGuard[MethodName]:
    """True when ``name`` is the name of a scoring method."""
    return name in METHOD_NAMES


__all__ = ["METHODS", "METHOD_NAMES", "Method", "MethodEngine", "MethodName", "Rescorer", "is_method_name"]
