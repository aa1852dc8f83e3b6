"""Calibrating a scoring method against human labels.

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

if TYPE_CHECKING:
    from tracking.evaluation.calibration import CalibrationResult, Objective
    from tracking.evaluation.comparison import CalibrationInputs
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
    pairing_notes: tuple[str, ...] = ()


def _read(
    paths: Sequence[str | Path], behavior: str | None, label_column: str | None = None
) -> list[Scoring]:
    """Every scoring in the given files and folders (NotFoundError naming a missing one)."""
    from tracking.evaluation.scorings import read_scorings

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise NotFoundError(f"no such file or folder: {', '.join(missing)}")
    return [
        scoring
        for path in paths
        for scoring in read_scorings(path, behavior=behavior, label_column=label_column)
    ]


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
    label_column: str | None = None,
) -> CalibrationRun:
    """Fit threshold and minimum bout to human labels (cross-validated), save them as preset ``name``.

    ``signals`` are outputs of ``behavlab score`` (folders or per-video JSON) or per-frame CSVs, at any
    frame rates and pixel scales; the base parameters are those the signals were scored with, or ``preset``
    (for ``method``) when given, changed by ``overrides``. The preset also records the signal options the
    signals were made with. ``objective`` is kappa, accuracy, f1 or seconds (default kappa, or seconds for
    seconds labels); ``label_column`` names the label column of per-frame label tables. Folds are whole
    videos from three videos on, else contiguous time blocks.
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
        inputs = calibration_inputs(_read(label_files, behavior, label_column), _read(signals, None))
        _require_labelled_animal(inputs)
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
        "pairing_notes": list(inputs.pairing.notes),
    }
    png, record = _write_calibration(result, name, Path(out_dir), sources)
    return CalibrationRun(
        result,
        saved,
        png,
        record,
        tuple(s.key for s in inputs.pairing.only_first),
        tuple(s.key for s in inputs.pairing.only_second),
        inputs.pairing.notes,
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


def _require_labelled_animal(inputs: CalibrationInputs) -> None:
    """Refuse a calibration where no scored animal has human labels, naming what was left unmatched."""
    if not inputs.videos:
        raise InvalidInputError(
            "calibration needs human labels for at least one scored animal; none matched; labels without "
            f"a signal: {', '.join(s.key for s in inputs.pairing.only_first) or 'none'}; signals without "
            f"labels: {', '.join(s.key for s in inputs.pairing.only_second) or 'none'}"
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
    """The cross-validated fit; a refusal of the data (not of a preset) reads 'cannot calibrate'."""
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
    from tracking.evaluation.agreement_plot import plot_agreement
    from writing.documents import write_json

    png = plot_agreement(
        result.videos["human_s"].tolist(),
        result.videos["machine_s"].tolist(),
        out / f"{name}.calibration.png",
        labels=("human", "machine, held out"),
        title=f"Calibration {name} ({result.params.method}), {result.fit['cross_validation']['scheme']}",
    )
    record = write_json(
        out / f"{name}.calibration.json",
        {**result.to_dict(), **sources},
    )
    return png, record
