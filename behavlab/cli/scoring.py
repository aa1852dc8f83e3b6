"""Scoring commands: score (motion or pose; files, pose files or a study), rescore, rois, calibrate-noise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from behavlab.cli.output import print_error, print_warning, stdout, table
from behavlab.cli.scoring_options import (
    BODYPARTS_OPTION,
    DASK_OPTION,
    DETECT_START_OPTION,
    FPS_OPTION,
    MANIFEST_OPTION,
    METHOD_HELP,
    MIN_LIKELIHOOD_OPTION,
    OUT_OPTION,
    PIXEL_CUTOFF_OPTION,
    POSE_FILES_OPTION,
    START_S_OPTION,
    STUDY_OPTION,
    TANK_DIAMETER_CM_OPTION,
    TANK_DIAMETER_PX_OPTION,
    WHOLE_FRAME_OPTION,
)
from behavlab.cli.state import state_of
from behavlab.errors import InvalidInputError
from behavlab.services import (
    StudyScoring,
    Workspace,
    detect_rois,
    rescore_videos,
    score_study,
    score_videos,
    suggest_pixel_cutoff,
)

if TYPE_CHECKING:
    from behavlab.services.library_types import BatchProgress, BatchReport

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
    threshold: str | None,
    min_bout_s: float | None,
    pixel_cutoff: float | None,
    settings: list[str],
    **named_options: Any,
) -> dict[str, Any]:
    """The parameter overrides given on the command line (named options and --set KEY=VALUE)."""
    overrides: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"--set {item!r} is not accepted; expected KEY=VALUE, e.g. smooth_s=0.2")
        overrides[key.strip()] = _value(value.strip())
    named = {"threshold": threshold, "min_bout_s": min_bout_s, "pixel_cutoff": pixel_cutoff, **named_options}
    overrides.update({k: _value(v) if isinstance(v, str) else v for k, v in named.items() if v is not None})
    return overrides


def bodyparts_from(text: str | None) -> list[str] | None:
    """Body parts given as a comma-separated list (None: all of the file's)."""
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise InvalidInputError(f"--bodyparts {text!r} names no body part; expected e.g. nose,tail_base")
    return parts


THRESHOLD_OPTION = typer.Option(
    None, "--threshold", help="Immobile below this signal value, or 'auto' (adapted to each animal)."
)
MIN_BOUT_OPTION = typer.Option(None, "--min-bout-s", help="Shortest immobility bout counted, in seconds.")
SET_OPTION = typer.Option([], "--set", help=SET_HELP)
ROIS_OPTION = typer.Option(None, "--rois", help=ROI_FILE_HELP, exists=True, dir_okay=False)
PER_FRAME_OPTION = typer.Option(
    False, "--per-frame", help="Also write <video>.<animal>.frames.csv per animal."
)


def print_batch_report(report: BatchReport, out_dir: Path, verb: str) -> None:
    """Summary line, results table, then every failure with its file and reason; exit 1 if any failed.

    A video scored except for some animals (a tank where no entry was detected) counts as scored, and the
    summary counts those animals as failed.
    """
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
    failed_animals = [
        (outcome.document["video"], animal, reason)
        for outcome in report.outcomes
        if outcome.document is not None
        for animal, reason in outcome.document.get("failed_animals", {}).items()
    ]
    done = sum(o.ok and not o.skipped for o in report.outcomes)
    skipped = f", {len(report.skipped)} already done" if report.skipped else ""
    animals = f", {len(failed_animals)} animal(s) failed" if failed_animals else ""
    console.print(
        f"{verb} {done} video(s){skipped}, {len(report.failed)} failed{animals}, "
        f"in {report.elapsed_s:.1f} s; results in {out_dir}"
    )
    for outcome in report.outcomes:
        document = outcome.document or {"video": outcome.video.name, "video_info": {}, "animals": []}
        for warning in document["video_info"].get("warnings", []):
            print_warning(f"{document['video']}: {warning}")
        for animal in document["animals"]:
            for warning in animal["warnings"]:
                print_warning(f"{document['video']} {animal['animal']}: {warning}")
    for outcome in report.failed:
        print_error(f"{outcome.video}: {outcome.error}")
    for video, animal, reason in failed_animals:
        print_error(f"{video} {animal}: {reason}")
    if report.failed or failed_animals:
        raise typer.Exit(code=1)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _progress_bar() -> Progress:
    """The batch progress bar on stderr (videos done, frames per second, time left); off when piped."""
    columns = (
        TextColumn("[bold]scoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("videos  {task.fields[fps]:,.0f} frames/s"),
        TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


@contextmanager
def _progress_updates() -> Iterator[Callable[[BatchProgress], None]]:
    """A progress callback for a batch, drawing the progress bar while the block runs."""
    with _progress_bar() as progress:
        task = progress.add_task("score", total=None, fps=0.0)

        def update(state: BatchProgress) -> None:
            progress.update(task, total=state.videos_total, completed=state.videos_done, fps=state.fps)

        yield update


def _study_report(result: StudyScoring) -> None:
    """Sessions scored now, already scored, and each failure by blind code; exit 1 if any failed."""
    stdout().print(
        f"scored {result.scored} session(s), {result.already_scored} already scored with these parameters, "
        f"{len(result.failures)} failed; files in {result.out_dir}",
        soft_wrap=True,
    )
    if result.earlier_note is not None:
        print_warning(result.earlier_note)
    for code, reason in result.failures:
        print_error(f"{code}: {reason}")
    if result.failures:
        raise typer.Exit(code=1)


@dataclass(frozen=True)
class _Scoring:
    """What every scoring run is given: method, preset, parameter overrides and where it runs."""

    method: str
    preset: str
    overrides: dict[str, Any]
    jobs: int | None
    dask: str | None


def score(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(
        None, help="Video files or folders (pose method: also DeepLabCut files, or folders of them)."
    ),
    method: str | None = typer.Option(None, "--method", help=METHOD_HELP),
    pose: list[Path] = POSE_FILES_OPTION,
    study: str | None = STUDY_OPTION,
    rois: Path | None = ROIS_OPTION,
    preset: str = typer.Option(
        "fst", "--preset", help="fst | tst | freezing, or a calibrated preset's name."
    ),
    threshold: str | None = THRESHOLD_OPTION,
    min_bout_s: float | None = MIN_BOUT_OPTION,
    pixel_cutoff: float | None = PIXEL_CUTOFF_OPTION,
    fps: float | None = FPS_OPTION,
    px_per_cm: float | None = typer.Option(None, "--px-per-cm", help="Pose: pixels per cm in the image."),
    tank_diameter_px: float | None = TANK_DIAMETER_PX_OPTION,
    tank_diameter_cm: float | None = TANK_DIAMETER_CM_OPTION,
    bodyparts: str | None = BODYPARTS_OPTION,
    min_likelihood: float | None = MIN_LIKELIHOOD_OPTION,
    settings: list[str] = SET_OPTION,
    out: Path | None = OUT_OPTION,
    jobs: int | None = typer.Option(None, "--jobs", help="Videos scored at once (default: one per CPU)."),
    dask: str | None = DASK_OPTION,
    resume: bool = typer.Option(False, "--resume", help="Skip videos already scored into --out."),
    per_frame: bool = PER_FRAME_OPTION,
    overlay: bool = typer.Option(False, "--overlay", help="Also write an annotated <video>.overlay.mp4."),
    whole_frame: bool = WHOLE_FRAME_OPTION,
    start_s: float | None = START_S_OPTION,
    manifest: Path | None = MANIFEST_OPTION,
    detect_start: bool = DETECT_START_OPTION,
) -> None:
    """Score immobility (motion or pose) in videos, DeepLabCut files or a study's FST sessions.

    Writes results.csv, bins.csv, and per video its JSON, signal cache and QC plot.
    """
    overrides = overrides_from(
        threshold,
        min_bout_s,
        pixel_cutoff,
        settings,
        fps=fps,
        px_per_cm=px_per_cm,
        tank_diameter_px=tank_diameter_px,
        tank_diameter_cm=tank_diameter_cm,
        bodyparts=bodyparts_from(bodyparts),
        min_likelihood=min_likelihood,
    )
    run = _Scoring(method or ("pose" if pose else "motion"), preset, overrides, jobs, dask)
    flags = {"resume": resume, "per_frame": per_frame, "overlay": overlay, "whole_frame": whole_frame}
    starts = {"start_s": start_s, "manifest": manifest, "detect_start": detect_start}
    if study is not None:
        given = any(flags.values()) or detect_start or any(v is not None for v in (rois, start_s, manifest))
        _refuse_file_options(bool(paths or pose), given)
        _study_report(_score_study_sessions(state_of(ctx).workspace(), study, run, out))
    else:
        folder = out if out is not None else Path("behavlab-scores")
        report = _score_files(run, paths or [], pose, rois, folder, {**flags, **starts})
        print_batch_report(report, folder, "scored")


def _refuse_file_options(files_given: bool, file_options_given: bool) -> None:
    """With --study, the sessions' own videos and ROIs are scored: file paths and file options are refused."""
    if files_given:
        raise InvalidInputError("--study scores the study's own session videos; give no paths or --pose")
    if file_options_given:
        raise InvalidInputError(
            "--study skips sessions already scored and uses each session's ROI; "
            "--resume, --per-frame, --overlay, --whole-frame, --rois, --start-s, --manifest and "
            "--detect-start apply to files only"
        )


def _score_study_sessions(workspace: Workspace, study: str, run: _Scoring, out: Path | None) -> StudyScoring:
    """Score the study's FST sessions not yet scored with these parameters, with a progress bar."""
    with _progress_updates() as update:
        return score_study(
            workspace,
            study,
            method=run.method,
            preset=run.preset,
            overrides=run.overrides,
            jobs=run.jobs,
            dask=run.dask,
            out_dir=out,
            on_progress=update,
        )


def _score_files(
    run: _Scoring,
    paths: list[Path],
    pose_files: list[Path],
    rois: Path | None,
    folder: Path,
    options: dict[str, Any],
) -> BatchReport:
    """Score video and pose files into ``folder`` with the file ``options``, with a progress bar."""
    with _progress_updates() as update:
        return score_videos(
            paths,
            folder,
            method=run.method,
            pose_files=pose_files,
            rois_file=rois,
            preset=run.preset,
            overrides=run.overrides,
            jobs=run.jobs,
            dask=run.dask,
            **options,
            on_progress=update,
        )


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
    print_batch_report(report, out_dir, "rescored")


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
