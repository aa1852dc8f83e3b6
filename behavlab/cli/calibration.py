"""`behavlab calibrate`: fit a preset to human labels (`behavlab agreement` is in behavlab.cli.agreement)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from behavlab.cli.agreement import (
    BEHAVIOR_HELP,
    LABEL_COLUMN_OPTION,
    TOLERANCE_HELP,
    number_text,
    print_statistics,
)
from behavlab.cli.output import print_warning, stdout, table
from behavlab.cli.scoring import SET_OPTION, overrides_from
from behavlab.errors import InvalidInputError
from behavlab.services import CalibrationRun, calibrate_to_labels

LABELS_HELP = (
    "Human labels (repeatable): per-frame 0/1 CSV, a bout table (start/end seconds; BORIS aggregated "
    "events) or per-video seconds (video, immobility_s)."
)


def _min_bouts(text: str | None) -> list[float] | None:
    """Minimum bouts to try, comma-separated seconds."""
    if text is None:
        return None
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInputError(
            f"--min-bouts {text!r} is not accepted; expected seconds such as 0.5,1,2"
        ) from None
    if not values:
        raise InvalidInputError(f"--min-bouts {text!r} names no value; expected seconds such as 0.5,1,2")
    return values


def calibrate(
    signals: list[Path] = typer.Argument(
        ..., help="Scored signals: output folders of `behavlab score` (either method), or their <video>.json."
    ),
    labels: list[Path] = typer.Option(..., "--labels", help=LABELS_HELP),
    name: str = typer.Option(..., "--name", help="Name of the preset to save, e.g. fst_lab2."),
    preset: str | None = typer.Option(
        None, "--preset", help="Base preset (default: the parameters the signals were scored with)."
    ),
    method: str | None = typer.Option(None, "--method", help="motion | pose, with --preset for CSV signals."),
    tolerance_s: float = typer.Option(0.0, "--tolerance-s", help=TOLERANCE_HELP),
    min_bouts: str | None = typer.Option(
        None, "--min-bouts", help="Minimum bouts to try, seconds (default 0.5,0.75,1,1.5,2)."
    ),
    keep_min_bout: bool = typer.Option(False, "--keep-min-bout", help="Fit the threshold only."),
    objective: str | None = typer.Option(
        None,
        "--objective",
        help="kappa | accuracy | f1 | seconds (default kappa, or seconds for seconds labels).",
    ),
    settings: list[str] = SET_OPTION,
    out: Path = typer.Option(
        Path("behavlab-calibration"), "--out", help="Folder for the figure and fit record."
    ),
    replace: bool = typer.Option(False, "--replace", help="Replace a calibrated preset of the same name."),
    behavior: str = typer.Option("immobil", "--behavior", help=BEHAVIOR_HELP),
    label_column: str | None = LABEL_COLUMN_OPTION,
) -> None:
    """Fit threshold and minimum bout to human labels, cross-validated; save a preset.

    Recordings of any frame rates and pixel scales pool on one time base. Folds are whole videos from three
    videos on, else contiguous time blocks of each recording.
    """
    run = calibrate_to_labels(
        labels,
        signals,
        name=name,
        preset=preset,
        method=method,
        overrides=overrides_from(None, None, None, settings),
        tolerance_s=tolerance_s,
        min_bouts=_min_bouts(min_bouts),
        keep_min_bout=keep_min_bout,
        objective=objective,
        out_dir=out,
        replace=replace,
        behavior=behavior,
        label_column=label_column,
    )
    _print_calibration(run)


def _print_calibration(run: CalibrationRun) -> None:
    """The held-out fit per fold, the cross-validated agreement with CIs, the fit on all data, the files."""
    result = run.result
    folds = result.folds
    scheme = result.fit["cross_validation"]["scheme"]
    columns = ["held out", "time s", "threshold", "min bout s", "human s", "machine s"]
    framewise = "kappa" in folds.columns
    if framewise:
        columns += ["accuracy", "kappa"]
    rows = [
        (
            row["video"] if row["block"] is None else f"{row['video']} block {int(row['block'])}",
            f"{row['start_s']:.1f}-{row['end_s']:.1f}",
            f"{row['threshold']:.4g}",
            f"{row['min_bout_s']:g}",
            number_text(row["human_s"], 1),
            number_text(row["machine_s"], 1),
            *((number_text(row["accuracy"]), number_text(row["kappa"])) if framewise else ()),
        )
        for row in folds.to_dict("records")
    ]
    console = stdout()
    console.print(
        table(f"Cross-validated, {scheme}: each part scored with the fit to the others", columns, rows)
    )
    _print_time_base(result.fit["time_base"])
    print_statistics(result.pooled, result.seconds, "cross-validated")
    params = result.params
    n = result.fit["n_videos"]
    console.print(
        f"fitted on all {n} video{'s' if n != 1 else ''} ({result.fit['objective']}): threshold "
        f"{params.threshold:.4g}, minimum bout {params.min_bout_s:g} s ({params.method} method)"
    )
    console.print(
        f"saved preset {params.name!r} to {run.preset_path}; use `behavlab score --method {params.method} "
        f"--preset {params.name}`"
    )
    console.print(f"wrote {run.png_path} and {run.json_path}")
    for note in run.pairing_notes:
        print_warning(note)
    if run.unmatched_labels:
        print_warning(f"labels without a scored signal: {', '.join(run.unmatched_labels)}")


def _print_time_base(time_base: dict[str, Any]) -> None:
    """The common frame rate, when the videos were recorded at several."""
    rates = sorted(set(time_base["video_fps"].values()))
    if len(rates) > 1:
        stdout().print(
            f"pooled on a common time base of {time_base['fps']:g} fps (videos at "
            f"{', '.join(f'{r:g}' for r in rates)} fps): each video weighs by its duration"
        )
