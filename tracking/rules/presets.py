"""Named scoring presets (``fst``, ``tst``, ``freezing``; methods ``motion`` and ``pose``) and overrides.

A preset is a :class:`ScoringParams`: every parameter the immobility rule and the per-animal summary apply,
with a ``source`` saying where the defaults come from. Calibration against human scores saves its fitted
parameters as a named preset (one JSON file per preset in a directory chosen by the caller) that
:func:`get_preset` loads like a built-in one. Every value is checked by :func:`validate_params`, which names
the parameter and what it accepts.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tracking.errors import TrackingError
from tracking.rules.methods import METHOD_NAMES, METHODS, Method, MethodName, is_method_name

#: The forced-swim test: 6 minutes from the animal's entry into the water (Can et al. 2012, JoVE 59:e3638).
FST_DURATION_S = 360.0
#: Immobility is scored over its last 4 minutes: seconds 120-360 after the animal's entry.
FST_SCORED_WINDOW_S = (120.0, FST_DURATION_S)
_FORMAT = "behavlab-preset"
_FORMAT_VERSION = 1


class PresetError(TrackingError, ValueError):
    """A preset name, file or parameter value that cannot be used; the message says what is accepted."""


@dataclass(frozen=True)
class ScoringParams:
    """Every parameter applied when scoring one animal's signal; validated on creation."""

    name: str
    method: MethodName
    threshold: float | Literal["auto"] = "auto"
    climb_threshold: float | None = None
    min_bout_s: float = 1.0
    smooth_s: float = 0.0
    max_nan_gap_s: float = 0.25
    window_start_s: float = FST_SCORED_WINDOW_S[0]
    window_end_s: float | None = FST_SCORED_WINDOW_S[1]
    test_duration_s: float | None = FST_DURATION_S
    bin_s: float = 60.0
    sample_bin_s: float = 5.0
    min_separation: float = 2.0
    source: str = ""

    def __post_init__(self) -> None:
        validate_params(dataclasses.asdict(self))

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict."""
        return dataclasses.asdict(self)


def _number(low: float, high: float = math.inf, *, low_open: bool = False) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return False
        return (value > low if low_open else value >= low) and value <= high

    return check


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


_NONNEG = _number(0.0)
_POSITIVE = _number(0.0, low_open=True)

#: Per parameter: the check and what it accepts (the error message's wording).
_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "method": (is_method_name, f"one of {', '.join(METHOD_NAMES)}"),
    "threshold": (lambda v: v == "auto" or _NONNEG(v), "'auto' or a finite number >= 0"),
    "climb_threshold": (_optional(_POSITIVE), "None or a finite number > 0"),
    "min_bout_s": (_number(0.0, 60.0), "seconds between 0 and 60"),
    "smooth_s": (_number(0.0, 10.0), "seconds between 0 and 10"),
    "max_nan_gap_s": (_number(0.0, 10.0), "seconds between 0 and 10"),
    "window_start_s": (_NONNEG, "seconds >= 0"),
    "window_end_s": (_optional(_POSITIVE), "None (end of the video) or seconds > 0"),
    "test_duration_s": (_optional(_POSITIVE), "None (length of the video) or seconds > 0"),
    "bin_s": (_POSITIVE, "seconds > 0"),
    "sample_bin_s": (_POSITIVE, "seconds > 0"),
    "min_separation": (_NONNEG, "a finite number >= 0 (Ashman's D)"),
    "source": (lambda v: isinstance(v, str), "a string"),
}


def validate_params(params: Mapping[str, Any]) -> None:
    """Raise :class:`PresetError` listing every unknown key, out-of-range value and inconsistent pair."""
    problems = [
        f"unknown parameter {key!r}; accepted parameters: {', '.join(_RULES)}"
        for key in params
        if key not in _RULES
    ]
    for key, value in params.items():
        if key in _RULES and not _RULES[key][0](value):
            problems.append(f"{key} = {value!r} is not accepted; expected {_RULES[key][1]}")
    if not problems:
        threshold, climb = params.get("threshold", "auto"), params.get("climb_threshold")
        if climb is not None and threshold != "auto" and climb <= threshold:
            problems.append(f"climb_threshold = {climb!r} must be greater than threshold = {threshold!r}")
        start, end = params.get("window_start_s", 0.0), params.get("window_end_s")
        if end is not None and end <= start:
            problems.append(f"window_end_s = {end!r} must be greater than window_start_s = {start!r}")
    if problems:
        raise PresetError("; ".join(problems))


_FST_SOURCE = (
    "Forced swim, 6-min test scored over the last 4 min (Porsolt et al. 1977; Can et al. 2012, JoVE); "
    "minimum bout 1 s as in DBscorer (Bruce et al. 2021) and ANY-maze; threshold adapted to each video "
    "(tracking.rules.threshold)."
)
_TST_SOURCE = (
    "Tail suspension, 6-min test scored over the whole test (Steru et al. 1985; Can et al. 2012, JoVE); "
    "minimum bout 1 s as for the forced swim; threshold adapted to each video (tracking.rules.threshold)."
)
_POSE_SMOOTHING = (
    " From pose: 0.5-s rolling median on the relative-motion signal, so pose jitter does not break floating "
    "bouts (chosen on tracking.pose.synth tracks: per-frame agreement 0.965 without it, 0.99 with it)."
)
_FREEZING_MOTION_SOURCE = (
    "Freezing scored over the whole video; minimum bout 0.5 s as in ezTrack (Pennington et al. 2019); "
    "0.2-s rolling median against single-frame noise (behavlab choice); threshold adapted to each video."
)
_FREEZING_POSE_SOURCE = (
    "Freezing from pose scored over the whole video: the larger of the head's and the trunk's speeds "
    "(tracking.pose.bodyparts), positions smoothed over 0.4 s, below a threshold adapted to each video for "
    "at least 0.5 s as in ezTrack (Pennington et al. 2019); 0.2-s rolling median against pose jitter. "
    "Chosen on real DeepLabCut tracks (BehaviorDEPOT's demo2, Gabriel et al. 2022) by time-blocked "
    "cross-validation: 0.902 of frames held out, against 0.881 for body speed."
)

#: Built-in presets by (name, method).
PRESETS: dict[tuple[str, str], ScoringParams] = {
    ("fst", "motion"): ScoringParams("fst", "motion", source=_FST_SOURCE),
    ("fst", "pose"): ScoringParams("fst", "pose", smooth_s=0.5, source=_FST_SOURCE + _POSE_SMOOTHING),
    ("tst", "motion"): ScoringParams("tst", "motion", window_start_s=0.0, source=_TST_SOURCE),
    ("tst", "pose"): ScoringParams(
        "tst", "pose", window_start_s=0.0, smooth_s=0.5, source=_TST_SOURCE + _POSE_SMOOTHING
    ),
    ("freezing", "motion"): ScoringParams(
        "freezing",
        "motion",
        min_bout_s=0.5,
        smooth_s=0.2,
        window_start_s=0.0,
        window_end_s=None,
        test_duration_s=None,
        source=_FREEZING_MOTION_SOURCE,
    ),
    ("freezing", "pose"): ScoringParams(
        "freezing",
        "pose",
        min_bout_s=0.5,
        smooth_s=0.2,
        window_start_s=0.0,
        window_end_s=None,
        test_duration_s=None,
        source=_FREEZING_POSE_SOURCE,
    ),
}


def method_of(name: str) -> Method:
    """The scoring method called ``name``; PresetError naming the methods accepted."""
    if not is_method_name(name):
        raise PresetError(f"unknown method {name!r}; accepted: {', '.join(METHOD_NAMES)}")
    return METHODS[name]


#: The scoring parameters an override may set (all of :class:`ScoringParams` but its name and method).
SCORING_FIELDS = tuple(f.name for f in dataclasses.fields(ScoringParams) if f.name not in ("name", "method"))


def split_overrides(
    overrides: Mapping[str, Any], signal_options: Sequence[str], signal: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split keyword overrides into (signal options, scoring parameters); PresetError names unknown ones.

    ``signal_options`` are the names of the method's signal options; ``signal`` names the signal in the
    message (e.g. ``"motion"``).
    """
    unknown = sorted(set(overrides) - set(signal_options) - set(SCORING_FIELDS))
    if unknown:
        raise PresetError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; accepted: "
            f"{', '.join(signal_options)} ({signal} signal) and {', '.join(SCORING_FIELDS)} (scoring)"
        )
    options = {k: v for k, v in overrides.items() if k in signal_options}
    scoring = {k: v for k, v in overrides.items() if k not in signal_options}
    return options, scoring


def with_overrides(params: ScoringParams, **overrides: Any) -> ScoringParams:
    """A copy of ``params`` with ``overrides`` applied and validated (unknown keys raise PresetError)."""
    validate_params(overrides)
    return dataclasses.replace(params, **overrides)


def _preset_path(directory: str | Path, name: str) -> Path:
    if not name or Path(name).name != name or name.startswith("."):
        raise PresetError(f"preset name {name!r} is not accepted; expected a plain name such as 'fst_lab2'")
    return Path(directory) / f"{name}.json"


def preset_file(name: str, directory: str | Path) -> Path:
    """Where a calibrated preset called ``name`` is kept in ``directory``; PresetError for a bad name."""
    return _preset_path(directory, name)


def save_preset(
    params: ScoringParams, directory: str | Path, *, signal: Mapping[str, Any] | None = None
) -> Path:
    """Write ``params`` as ``<directory>/<params.name>.json`` (e.g. after calibration) and return the path.

    ``signal`` records the signal options the preset was fitted on (motion: pixel cutoff, blur; pose: the
    pose signal's kind, body parts, cleaning), so scoring with the preset computes the same signal.
    """
    path = _preset_path(directory, params.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {"format": _FORMAT, "version": _FORMAT_VERSION, "params": params.to_dict()}
    if signal:
        document["signal"] = dict(signal)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load_preset(path: str | Path) -> ScoringParams:
    """Read a preset file written by :func:`save_preset`; raise PresetError naming the file on any problem."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PresetError(f"cannot read preset file {path}: {error}") from error
    if not isinstance(document, dict) or document.get("format") != _FORMAT or "params" not in document:
        raise PresetError(
            f"{path} is not a behavlab preset file (expected 'format': {_FORMAT!r} and 'params')"
        )
    if not isinstance(document["params"], dict):
        raise PresetError(f"{path}: 'params' must be an object")
    missing = {"name", "method"} - document["params"].keys()
    if missing:
        raise PresetError(f"{path}: 'params' lacks {', '.join(sorted(missing))}")
    try:
        validate_params(document["params"])
        return ScoringParams(**document["params"])
    except PresetError as error:
        raise PresetError(f"{path}: {error}") from error


def preset_signal(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """The signal options saved with a calibrated preset (empty for built-in presets and presets without)."""
    if directory is None or any(key[0] == name for key in PRESETS):
        return {}
    path = _preset_path(directory, name)
    if not path.is_file():
        return {}
    try:
        signal = json.loads(path.read_text(encoding="utf-8")).get("signal") or {}
    except (OSError, json.JSONDecodeError, AttributeError) as error:
        raise PresetError(f"cannot read preset file {path}: {error}") from error
    if not isinstance(signal, dict):
        raise PresetError(f"{path}: 'signal' must be an object of signal options")
    return signal


def available_presets(directory: str | Path | None = None) -> list[str]:
    """Names of the built-in presets and of the preset files in ``directory``."""
    names = {name for name, _ in PRESETS}
    if directory is not None and Path(directory).is_dir():
        names |= {path.stem for path in Path(directory).glob("*.json")}
    return sorted(names)


def get_preset(
    name: str, method: str = "motion", *, directory: str | Path | None = None, **overrides: Any
) -> ScoringParams:
    """The named preset for ``method`` (built-in, else ``<directory>/<name>.json``) with ``overrides``.

    Notes
    -----
    Built-in defaults and their sources:

    - ``fst``: threshold adapted to each video, minimum bout 1 s (DBscorer, ANY-maze), scored 120-360 s of a
      360-s test (the last 4 of 6 minutes; Can et al. 2012), per-minute bins over the whole test and 5-s time
      sampling (Detke et al. 1995) in the window.
    - ``tst``: as ``fst`` but scored over the whole 6-min test (0-360 s), as is usual for tail suspension.
    - ``freezing``: scored over the whole video, threshold adapted to each video, minimum bout 0.5 s
      (ezTrack), smoothed with a 0.2-s rolling median; pose: the larger of head and trunk speeds (a fixed
      speed in cm/s, as BehaviorDEPOT's 0.5 cm/s, holds only where pose jitter stays below it; see
      :mod:`tracking.pose.bodyparts`).

    A calibrated preset's file records its own method; asking it for another method is an error.
    """
    if not is_method_name(method):
        raise PresetError(f"method {method!r} is not accepted; expected one of {', '.join(METHOD_NAMES)}")
    if (name, method) in PRESETS:
        base = PRESETS[(name, method)]
    elif directory is not None and _preset_path(directory, name).is_file():
        base = load_preset(_preset_path(directory, name))
        if base.method != method:
            raise PresetError(f"preset {name!r} was calibrated for method {base.method!r}, not {method!r}")
    else:
        raise PresetError(
            f"unknown preset {name!r}; available: {', '.join(available_presets(directory))}"
            + ("" if directory is not None else " (calibrated presets need the preset directory)")
        )
    return with_overrides(base, **overrides)
