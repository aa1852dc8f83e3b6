"""Calibrating a scoring method against human labels, and the agreement of any two scorings.

A thin layer over :mod:`tracking.evaluation.comparison` and :mod:`tracking.evaluation.calibration`: it reads
the sources, saves the
fitted parameters as a named preset in :func:`~behavlab.services.video_scoring.presets_directory` (where
``behavlab score --preset NAME`` finds it), writes the figure and the fit record, and turns the library's
input errors into :class:`~behavlab.errors.BehavlabError` messages. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from behavlab.errors import InvalidInputError, NotFoundError
from behavlab.services.library_errors import tracking_errors
from behavlab.services.video_scoring import presets_directory
from tracking.rules.presets import FST_SCORED_WINDOW_S

if TYPE_CHECKING:
    from tracking.evaluation.calibration import CalibrationResult, Objective
    from tracking.evaluation.comparison import CalibrationInputs, Comparison
    from tracking.evaluation.scorings import Scoring
    from tracking.rules.presets import ScoringParams


@dataclass(frozen=True)
class CalibrationRun:
    """A calibration: the fit, the preset file saved, the figure and record written, what was left out."""

    result: CalibrationResult
    preset_path: Path
    png_path: Path
    json_path: Path
    unmatched_labels: tuple[str, ...]
    unmatched_signals: tuple[str, ...]


def _read(paths: Sequence[str | Path], behavior: str | None) -> list[Scoring]:
    """Every scoring in the given files and folders (NotFoundError naming a missing one)."""
    from tracking.evaluation.scorings import read_scorings

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise NotFoundError(f"no such file or folder: {', '.join(missing)}")
    return [scoring for path in paths for scoring in read_scorings(path, behavior=behavior)]


def calibrate_to_labels(
    label_files: Sequence[str | Path],
    signals: Sequence[str | Path],
    *,
    name: str,
    preset: str | None = None,
    method: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    tolerance_s: float = 0.0,
    min_bouts: Sequence[float] | None = None,
    keep_min_bout: bool = False,
    objective: str | None = None,
    out_dir: str | Path = "behavlab-calibration",
    replace: bool = False,
    behavior: str | None = "immobil",
) -> CalibrationRun:
    """Fit threshold and minimum bout to human labels (leave-one-video-out), save them as preset ``name``.

    ``signals`` are outputs of ``behavlab score`` (folders or per-video JSON) or per-frame CSVs; the base
    parameters are those the signals were scored with, or ``preset`` (for ``method``) when given, changed by
    ``overrides``. The preset also records the signal options the signals were made with. ``objective`` is
    kappa, accuracy, f1 or seconds (default kappa, or seconds for seconds labels).
    """
    from tracking.evaluation.calibration import DEFAULT_MIN_BOUTS
    from tracking.evaluation.comparison import calibration_inputs
    from tracking.rules.methods import METHODS
    from tracking.rules.presets import preset_file, save_preset

    chosen_objective = _checked_objective(objective)
    _check_calibration_request(label_files, signals, name, tolerance_s)
    directory = presets_directory()
    with tracking_errors():
        preset_path = preset_file(name, directory)
        if preset_path.exists() and not replace:
            raise InvalidInputError(
                f"preset {name!r} exists ({preset_path}); choose another name or replace it"
            )
        inputs = calibration_inputs(_read(label_files, behavior), _read(signals, None))
        _require_two_animals(inputs)
        base = _base_params(inputs, preset, method, overrides, directory)
        tried_bouts = None if keep_min_bout else (tuple(min_bouts) if min_bouts else DEFAULT_MIN_BOUTS)
        result = _fit(inputs, base, name, tried_bouts, chosen_objective, tolerance_s)
        kept = METHODS[result.params.method].preset_options(inputs.signal_options)
        saved = save_preset(result.params, directory, signal=kept)
    sources = {
        "labels": [str(p) for p in label_files],
        "signals": [str(p) for p in signals],
        "signal_options": inputs.signal_options,
        "preset_file": str(saved),
    }
    png, record = _write_calibration(result, name, Path(out_dir), sources)
    return CalibrationRun(
        result,
        saved,
        png,
        record,
        tuple(s.key for s in inputs.pairing.only_first),
        tuple(s.key for s in inputs.pairing.only_second),
    )


def _checked_objective(objective: str | None) -> Objective | None:
    """The fit objective as typed, or InvalidInputError listing the objectives the library fits."""
    from tracking.evaluation.calibration import Objective

    accepted: tuple[Objective, ...] = get_args(Objective)
    if objective is None:
        return None
    for known in accepted:
        if known == objective:
            return known
    raise InvalidInputError(
        f"--objective {objective!r} is not accepted; expected {', '.join(accepted[:-1])} or {accepted[-1]}"
    )


def _check_calibration_request(
    label_files: Sequence[str | Path], signals: Sequence[str | Path], name: str, tolerance_s: float
) -> None:
    """Refuse a calibration without labels or signals, with a negative tolerance or a built-in preset name."""
    from tracking.rules.presets import PRESETS

    if not label_files:
        raise InvalidInputError("no human labels: give --labels FILE (per-frame, bouts or seconds)")
    if not signals:
        raise InvalidInputError("no signals: give the output folders of `behavlab score` to calibrate")
    if tolerance_s < 0:
        raise InvalidInputError(f"--tolerance-s must be >= 0, got {tolerance_s:g}")
    if any(key[0] == name for key in PRESETS):
        raise InvalidInputError(f"{name!r} is a built-in preset; give the calibrated preset its own name")


def _require_two_animals(inputs: CalibrationInputs) -> None:
    """Refuse fewer than two scored animals with human labels, naming what matched and what did not."""
    if len(inputs.videos) < 2:
        found = ", ".join(s.key for _, s in inputs.pairing.pairs) or "none"
        raise InvalidInputError(
            f"calibration needs human labels for at least two scored animals; matched: {found}; "
            f"labels without a signal: {', '.join(s.key for s in inputs.pairing.only_first) or 'none'}"
        )


def _base_params(
    inputs: CalibrationInputs,
    preset: str | None,
    method: str | None,
    overrides: Mapping[str, Any] | None,
    directory: Path,
) -> ScoringParams:
    """The parameters the fit starts from: ``preset`` when given, else those the signals were scored with."""
    from tracking.rules.presets import get_preset, with_overrides

    if preset is not None:
        chosen = method or inputs.method
        if chosen is None:
            raise InvalidInputError("give --method motion|pose with --preset for signals from CSV files")
        return get_preset(preset, chosen, directory=directory, **dict(overrides or {}))
    if inputs.params is not None:
        return with_overrides(inputs.params, **dict(overrides or {}))
    raise InvalidInputError("the signals record no scoring parameters; give --preset and --method")


def _fit(
    inputs: CalibrationInputs,
    base: ScoringParams,
    name: str,
    min_bouts: Sequence[float] | None,
    objective: Objective | None,
    tolerance_s: float,
) -> CalibrationResult:
    """The leave-one-video-out fit; a refusal of the data (not of a preset) reads 'cannot calibrate'."""
    from tracking.evaluation.calibration import calibrate
    from tracking.rules.presets import PresetError

    try:
        return calibrate(
            inputs.videos, base, name=name, min_bouts=min_bouts, objective=objective, tolerance_s=tolerance_s
        )
    except PresetError:
        raise
    except ValueError as error:
        raise InvalidInputError(f"cannot calibrate: {error}") from error


def _write_calibration(
    result: CalibrationResult, name: str, out: Path, sources: Mapping[str, object]
) -> tuple[Path, Path]:
    """Write the held-out agreement figure and the fit record, with its ``sources``, into ``out``."""
    from tracking.evaluation.agreement import plot_agreement
    from writing.documents import write_json

    png = plot_agreement(
        result.folds["human_s"].tolist(),
        result.folds["machine_s"].tolist(),
        out / f"{name}.calibration.png",
        labels=("human", "machine, held out"),
        title=f"Calibration {name} ({result.params.method}), leave-one-video-out",
    )
    record = write_json(
        out / f"{name}.calibration.json",
        {**result.to_dict(), **sources},
    )
    return png, record


def compare_scorings(
    first: str | Path,
    second: str | Path,
    *,
    window_start_s: float = FST_SCORED_WINDOW_S[0],
    window_end_s: float | None = FST_SCORED_WINDOW_S[1],
    tolerance_s: float = 0.0,
    grid_fps: float = 30.0,
    png: str | Path | None = None,
    behavior: str | None = "immobil",
) -> Comparison:
    """Agreement of two scorings (human labels or behavlab outputs), ``first`` the reference.

    Per frame (accuracy, F1, Cohen's kappa) where both are per frame or bouts, and per video (Pearson r,
    Bland-Altman bias and 95% limits) on seconds in the window; ``png`` also writes the scatter and
    Bland-Altman figure.
    """
    from tracking.evaluation import comparison
    from tracking.evaluation.agreement import plot_agreement

    if tolerance_s < 0:
        raise InvalidInputError(f"--tolerance-s must be >= 0, got {tolerance_s:g}")
    if not grid_fps > 0:
        raise InvalidInputError(f"--fps must be > 0, got {grid_fps:g}")
    if window_end_s is not None and window_end_s <= window_start_s:
        raise InvalidInputError(
            f"the window ends at {window_end_s:g} s, not after its start {window_start_s:g} s"
        )
    with tracking_errors():
        result = comparison.compare_scorings(
            _read([first], behavior),
            _read([second], behavior),
            window_start_s=window_start_s,
            window_end_s=window_end_s,
            tolerance_s=tolerance_s,
            grid_fps=grid_fps,
        )
    if png is not None:
        rows = result.rows.dropna(subset=["first_s", "second_s"])
        plot_agreement(
            rows["first_s"].tolist(),
            rows["second_s"].tolist(),
            png,
            labels=(Path(first).name, Path(second).name),
            title="Agreement",
        )
    return result
