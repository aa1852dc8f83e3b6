"""`behavlab calibrate` (fit a preset to human labels) and `behavlab agreement` (compare two scorings)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from behavlab.cli.output import print_warning, stdout, table
from behavlab.cli.scoring import SET_OPTION, overrides_from
from behavlab.errors import InvalidInputError
from behavlab.services import FST_SCORED_WINDOW_S, CalibrationRun, calibrate_to_labels, compare_scorings

if TYPE_CHECKING:
    from behavlab.services.library_types import Comparison, FrameAgreement, SecondsAgreement

LABELS_HELP = (
    "Human labels (repeatable): per-frame 0/1 CSV, a bout table (start/end seconds; BORIS aggregated "
    "events) or per-video seconds (video, immobility_s)."
)
SOURCE_HELP = (
    "A scoring: human labels (per-frame, bouts, seconds), an output folder of `behavlab score`, "
    "one of its <video>.json, its results.csv or a <video>.<animal>.frames.csv."
)
TOLERANCE_HELP = "Ignore frames within this many seconds of each human (reference) transition, e.g. 0.5."
BEHAVIOR_HELP = "In bout tables, the behaviour rows to take (matched as a substring; BORIS 'Behavior')."


def _number(value: float, digits: int = 3) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


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


def _print_statistics(frames: FrameAgreement | None, seconds: SecondsAgreement, what: str) -> None:
    """The per-frame and per-video agreement lines shared by both commands."""
    console = stdout()
    if frames is not None:
        console.print(
            f"{what} per frame: accuracy {_number(frames.accuracy)}, F1 {_number(frames.f1)}, "
            f"Cohen's kappa {_number(frames.kappa)} over {frames.n_frames} frames"
            + (f" ({frames.n_ignored} ignored)" if frames.n_ignored else "")
        )
    console.print(
        f"{what} per video (n = {seconds.n}): Pearson r {_number(seconds.pearson_r)}, Bland-Altman bias "
        f"{_number(seconds.bias, 2)} s, 95% limits of agreement {_number(seconds.lower_limit, 2)} to "
        f"{_number(seconds.upper_limit, 2)} s"
    )


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
) -> None:
    """Fit threshold and minimum bout to human labels, leave-one-video-out cross-validated; save a preset."""
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
    )
    _print_calibration(run)


def _print_calibration(run: CalibrationRun) -> None:
    """The held-out fit per video, the cross-validated agreement, the fit on all videos and the files."""
    result = run.result
    folds = result.folds
    columns = ["video", "threshold", "min bout s", "human s", "machine s"]
    framewise = "kappa" in folds.columns
    if framewise:
        columns += ["accuracy", "kappa"]
    rows = [
        (
            row["video"],
            f"{row['threshold']:.4g}",
            f"{row['min_bout_s']:g}",
            _number(row["human_s"], 1),
            _number(row["machine_s"], 1),
            *((_number(row["accuracy"]), _number(row["kappa"])) if framewise else ()),
        )
        for row in folds.to_dict("records")
    ]
    console = stdout()
    console.print(table("Leave-one-video-out (each video scored with the fit to the others)", columns, rows))
    _print_statistics(result.pooled, result.seconds, "cross-validated")
    params = result.params
    console.print(
        f"fitted on all {len(folds)} videos ({result.fit['objective']}): threshold {params.threshold:.4g}, "
        f"minimum bout {params.min_bout_s:g} s ({params.method} method)"
    )
    console.print(
        f"saved preset {params.name!r} to {run.preset_path}; use `behavlab score --method {params.method} "
        f"--preset {params.name}`"
    )
    console.print(f"wrote {run.png_path} and {run.json_path}")
    if run.unmatched_labels:
        print_warning(f"labels without a scored signal: {', '.join(run.unmatched_labels)}")


def agreement(
    first: Path = typer.Argument(..., help=SOURCE_HELP + " The reference."),
    second: Path = typer.Argument(..., help="The scoring compared with the reference (same kinds)."),
    window_start_s: float = typer.Option(
        FST_SCORED_WINDOW_S[0], "--window-start-s", help="Scored window start, seconds."
    ),
    window_end_s: str = typer.Option(
        f"{FST_SCORED_WINDOW_S[1]:g}",
        "--window-end-s",
        help="Scored window end, seconds, or 'none' (to the end).",
    ),
    tolerance_s: float = typer.Option(0.0, "--tolerance-s", help=TOLERANCE_HELP),
    fps: float = typer.Option(30.0, "--fps", help="Time grid for two scorings without frame times (bouts)."),
    png: Path | None = typer.Option(None, "--png", help="Also write the scatter and Bland-Altman figure."),
    behavior: str = typer.Option("immobil", "--behavior", help=BEHAVIOR_HELP),
) -> None:
    """Agreement of two scorings (two raters, rater vs machine, motion vs pose): per frame and per video."""
    end = _window_end(window_end_s)
    result = compare_scorings(
        first,
        second,
        window_start_s=window_start_s,
        window_end_s=end,
        tolerance_s=tolerance_s,
        grid_fps=fps,
        png=png,
        behavior=behavior,
    )
    until = f"{end:g} s" if end is not None else "the end"
    _print_agreement(result, first, second, f"Immobility in {window_start_s:g} s to {until}")
    if png is not None:
        stdout().print(f"wrote {png}")


def _window_end(text: str) -> float | None:
    """The window's end in seconds, or None for 'none' or 'end' (to the end of each scoring)."""
    try:
        return None if text.lower() in ("none", "end") else float(text)
    except ValueError:
        raise InvalidInputError(
            f"--window-end-s {text!r} is not accepted; expected seconds or 'none'"
        ) from None


def _print_agreement(result: Comparison, first: Path, second: Path, title: str) -> None:
    """Per-video seconds (and per-frame agreement where both have frames), the statistics and the notes."""
    framewise = "kappa" in result.rows.columns
    columns = ["video", "animal", f"{first.name} s", f"{second.name} s", "difference s"]
    columns += ["frames", "accuracy", "kappa"] if framewise else []
    rows = [
        (
            row["video"],
            row["animal"],
            _number(row["first_s"], 1),
            _number(row["second_s"], 1),
            _number(row["difference_s"], 1),
            *(
                (row["frames"], _number(row["accuracy"]), _number(row["kappa"]))
                if framewise and not math.isnan(row.get("frames", math.nan))
                else (("-", "-", "-") if framewise else ())
            ),
        )
        for row in result.rows.to_dict("records")
    ]
    stdout().print(table(title, columns, rows))
    _print_statistics(result.frames, result.seconds, "agreement")
    for note in result.rows["note"]:
        if note:
            print_warning(note)
    for side, left in (("first", result.pairing.only_first), ("second", result.pairing.only_second)):
        if left:
            print_warning(f"only in the {side} scoring: {', '.join(s.key for s in left)}")
