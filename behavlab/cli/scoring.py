"""Video scoring commands: score, rescore, rois detect, calibrate-noise."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from behavlab.cli.output import print_error, print_warning, stdout, table
from behavlab.errors import InvalidInputError
from behavlab.services import detect_rois, rescore_videos, score_videos, suggest_pixel_cutoff

if TYPE_CHECKING:
    from tracking.batch import BatchProgress, BatchReport

rois_app = typer.Typer(help="Regions of interest: one per animal (tank).", no_args_is_help=True)

ROI_FILE_HELP = (
    'ROI JSON: {"default": [ROI, ...], "videos": {"<file name>": [ROI, ...]}} or a bare list; '
    'ROI = {"label", "shape": "circle", "cx", "cy", "r"} | rectangle (x, y, width, height) | '
    "polygon (points). "
    "Default: the whole frame is one animal."
)
SET_HELP = "Any scoring parameter as KEY=VALUE (repeatable), e.g. --set smooth_s=0.2 --set window_start_s=0."


def _value(text: str) -> Any:
    """A command-line value: a number, 'none', or the text itself (e.g. 'auto')."""
    if text.lower() in ("none", "null"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def overrides_from(
    threshold: str | None, min_bout_s: float | None, pixel_cutoff: float | None, settings: list[str]
) -> dict[str, Any]:
    """The parameter overrides given on the command line (named options and --set KEY=VALUE)."""
    overrides: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"--set {item!r} is not accepted; expected KEY=VALUE, e.g. smooth_s=0.2")
        overrides[key.strip()] = _value(value.strip())
    named = {"threshold": threshold, "min_bout_s": min_bout_s, "pixel_cutoff": pixel_cutoff}
    overrides.update({k: _value(v) if isinstance(v, str) else v for k, v in named.items() if v is not None})
    return overrides


THRESHOLD_OPTION = typer.Option(
    None, "--threshold", help="Immobile below this signal value, or 'auto' (adapted to each animal)."
)
MIN_BOUT_OPTION = typer.Option(None, "--min-bout-s", help="Shortest immobility bout counted, in seconds.")
SET_OPTION = typer.Option([], "--set", help=SET_HELP)


def _report(report: BatchReport, out_dir: Path, verb: str) -> None:
    """Summary line, results table, then every failure with its file and reason; exit 1 if any failed."""
    console = stdout()
    rows = [
        (
            row["video"],
            row["animal"],
            _seconds(row["immobility_s"]),
            _seconds(row["latency_s"]),
            row["n_bouts"],
        )
        for outcome in report.outcomes
        if outcome.document is not None
        for row in outcome.document["results"]
    ]
    if rows:
        console.print(table(None, ["video", "animal", "immobile s", "latency s", "bouts"], rows))
    done = sum(o.ok and not o.skipped for o in report.outcomes)
    skipped = f", {len(report.skipped)} already done" if report.skipped else ""
    console.print(
        f"{verb} {done} video(s){skipped}, {len(report.failed)} failed, in {report.elapsed_s:.1f} s; "
        f"results in {out_dir}"
    )
    for outcome in report.outcomes:
        for warning in () if outcome.document is None else outcome.document["video_info"].get("warnings", []):
            print_warning(f"{outcome.video.name}: {warning}")
    for outcome in report.failed:
        print_error(f"{outcome.video}: {outcome.error}")
    if report.failed:
        raise typer.Exit(code=1)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def score(
    paths: list[Path] = typer.Argument(..., help="Video files, or folders of videos."),
    rois: Path | None = typer.Option(None, "--rois", help=ROI_FILE_HELP, exists=True, dir_okay=False),
    preset: str = typer.Option(
        "fst", "--preset", help="fst | tst | freezing, or a calibrated preset's name."
    ),
    threshold: str | None = THRESHOLD_OPTION,
    min_bout_s: float | None = MIN_BOUT_OPTION,
    pixel_cutoff: float | None = typer.Option(
        None, "--pixel-cutoff", help="Grey levels a pixel must change by to count (see calibrate-noise)."
    ),
    settings: list[str] = SET_OPTION,
    out: Path = typer.Option(Path("behavlab-scores"), "--out", help="Output folder."),
    jobs: int | None = typer.Option(None, "--jobs", help="Videos scored at once (default: one per CPU)."),
    dask: str | None = typer.Option(
        None,
        "--dask",
        help="Run on Dask: 'local' (a LocalCluster) or tcp://HOST:PORT (needs behavlab[dask]).",
    ),
    resume: bool = typer.Option(False, "--resume", help="Skip videos already scored into --out."),
    per_frame: bool = typer.Option(
        False, "--per-frame", help="Also write <video>.<animal>.frames.csv per animal."
    ),
    overlay: bool = typer.Option(False, "--overlay", help="Also write an annotated <video>.overlay.mp4."),
) -> None:
    """Score FST immobility in videos: results.csv, bins.csv, and per video its JSON, cache and QC plot."""
    overrides = overrides_from(threshold, min_bout_s, pixel_cutoff, settings)
    columns = (
        TextColumn("[bold]scoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("videos  {task.fields[fps]:,.0f} frames/s"),
        TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("score", total=None, fps=0.0)

        def update(state: BatchProgress) -> None:
            progress.update(task, total=state.videos_total, completed=state.videos_done, fps=state.fps)

        report = score_videos(
            paths,
            out,
            rois_file=rois,
            preset=preset,
            overrides=overrides,
            jobs=jobs,
            dask=dask,
            resume=resume,
            per_frame=per_frame,
            overlay=overlay,
            on_progress=update,
        )
    _report(report, out, "scored")


def rescore(
    out_dir: Path = typer.Argument(..., help="An output folder of `behavlab score`."),
    preset: str | None = typer.Option(
        None, "--preset", help="Replace each video's preset (default: keep it and apply the changes below)."
    ),
    threshold: str | None = THRESHOLD_OPTION,
    min_bout_s: float | None = MIN_BOUT_OPTION,
    settings: list[str] = SET_OPTION,
) -> None:
    """Re-apply thresholds and bout rules from the cached signals, without decoding the videos again."""
    report = rescore_videos(
        out_dir, preset=preset, overrides=overrides_from(threshold, min_bout_s, None, settings)
    )
    stale = sorted(out_dir.glob("*.overlay.mp4"))
    if stale:
        print_warning(
            f"{len(stale)} overlay video(s) show the earlier scoring; run score --overlay to redo them"
        )
    _report(report, out_dir, "rescored")


@rois_app.command("detect")
def rois_detect(
    video: Path = typer.Argument(..., help="A video showing the tanks.", exists=True, dir_okay=False),
    tanks: int | None = typer.Option(None, "--tanks", help="How many tanks to find (default: all found)."),
    out: Path = typer.Option(
        Path("rois.json"), "--out", help="ROI file to write (a PNG is written beside it)."
    ),
) -> None:
    """Propose circular tanks (Hough transform) and write them as an ROI file, with a PNG to check them."""
    proposal = detect_rois(video, out, n_tanks=tanks)
    rows = [(r.label, f"{r.cx:.1f}", f"{r.cy:.1f}", f"{r.r:.1f}") for r in proposal.rois]
    stdout().print(table(None, ["label", "cx", "cy", "r"], rows))
    stdout().print(
        f"wrote {proposal.json_path} and {proposal.png_path}; check the circles, rename the labels to "
        "the animals' codes, and pass it to `behavlab score --rois`"
    )


def calibrate_noise(
    video: Path = typer.Argument(..., help="A clip of the empty tank(s).", exists=True, dir_okay=False),
    rois: Path | None = typer.Option(None, "--rois", help="ROI file.", exists=True, dir_okay=False),
    roi: str | None = typer.Option(None, "--roi", help="Label of the ROI (in --rois) to measure in."),
) -> None:
    """Suggest the pixel cutoff: twice the 99.99th percentile of frame-to-frame change (ezTrack)."""
    result = suggest_pixel_cutoff(video, rois_file=rois, roi=roi)
    stdout().print(
        f"suggested pixel cutoff: {result.suggested_cutoff:.2f} grey levels "
        f"({result.params['factor']:g} x the {result.params['percentile']:g}th percentile of change, "
        f"{result.percentile_change:.2f}, over {result.n_frames} frames); "
        f"use it with `behavlab score --pixel-cutoff {result.suggested_cutoff:.2f}`"
    )
