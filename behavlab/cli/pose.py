"""Pose commands: `behavlab pose run` runs DeepLabCut on a trained project, then scores the pose files."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from behavlab.cli.output import print_error, stdout, table
from behavlab.cli.scoring import (
    MIN_BOUT_OPTION,
    PER_FRAME_OPTION,
    ROIS_OPTION,
    SET_OPTION,
    THRESHOLD_OPTION,
    bodyparts_from,
    overrides_from,
    print_batch_report,
)
from behavlab.services.pose_running import DLC_LOG_NAME, PoseRun, run_pose

app = typer.Typer(help="Pose estimation with DeepLabCut (extra: behavlab[dlc]).", no_args_is_help=True)


def _pose_options(
    px_per_cm: float | None, tank_diameter_px: float | None, bodyparts: str | None
) -> dict[str, object]:
    """The pose-signal options given by name (pixel scale, body parts)."""
    options: dict[str, object] = {}
    if px_per_cm is not None:
        options["px_per_cm"] = px_per_cm
    if tank_diameter_px is not None:
        options["tank_diameter_px"] = tank_diameter_px
    parts = bodyparts_from(bodyparts)
    if parts is not None:
        options["bodyparts"] = parts
    return options


@app.command("run")
def run(
    videos: list[Path] = typer.Argument(..., help="Videos, or folders of videos, to analyse."),
    dlc_config: Path = typer.Option(
        ..., "--dlc-config", help="The trained DeepLabCut project's config.yaml.", dir_okay=False
    ),
    dlc_python: Path | None = typer.Option(
        None,
        "--dlc-python",
        help="The python of the environment that has DeepLabCut (default: the one running behavlab).",
        dir_okay=False,
    ),
    out: Path = typer.Option(
        Path("behavlab-scores"), "--out", help=f"Output folder for the scores and {DLC_LOG_NAME}."
    ),
    shuffle: int = typer.Option(1, "--shuffle", help="The project's shuffle to analyse with."),
    trainingsetindex: int = typer.Option(0, "--trainingsetindex", help="The project's training-set index."),
    device: str | None = typer.Option(
        None, "--device", help="Torch device for DeepLabCut 3, e.g. cpu or cuda:0 (default: its own choice)."
    ),
    score: bool = typer.Option(True, "--score/--no-score", help="Score the pose files DeepLabCut writes."),
    preset: str = typer.Option("fst", "--preset", help="fst | tst | freezing, or a calibrated preset."),
    px_per_cm: float | None = typer.Option(None, "--px-per-cm", help="Pixels per cm in the image."),
    tank_diameter_px: float | None = typer.Option(
        None, "--tank-diameter-px", help="The tank's inner diameter in pixels (instead of --px-per-cm)."
    ),
    bodyparts: str | None = typer.Option(
        None, "--bodyparts", help="Body parts to score, comma-separated (default: all in the file)."
    ),
    threshold: str | None = THRESHOLD_OPTION,
    min_bout_s: float | None = MIN_BOUT_OPTION,
    settings: list[str] = SET_OPTION,
    rois: Path | None = ROIS_OPTION,
    jobs: int | None = typer.Option(None, "--jobs", help="Pose files scored at once (default: one per CPU)."),
    per_frame: bool = PER_FRAME_OPTION,
) -> None:
    """Analyse videos with a trained DeepLabCut project (pose files next to each video), then score them."""
    overrides = {
        **overrides_from(threshold, min_bout_s, None, settings),
        **_pose_options(px_per_cm, tank_diameter_px, bodyparts),
    }
    python = dlc_python if dlc_python is not None else Path(sys.executable)
    typer.echo(f"running DeepLabCut with {python}; its output goes to {out / DLC_LOG_NAME}", err=True)
    result = run_pose(
        dlc_config,
        videos,
        out,
        dlc_python=python,
        shuffle=shuffle,
        trainingsetindex=trainingsetindex,
        device=device,
        score=score,
        preset=preset,
        overrides=overrides,
        rois_file=rois,
        jobs=jobs,
        per_frame=per_frame,
    )
    _print_pose_run(result)


def _print_pose_run(result: PoseRun) -> None:
    """The pose files DeepLabCut wrote, videos it wrote none for, then the scoring; exit 1 if any has none."""
    dlc = result.dlc
    console = stdout()
    rows = [(video.name, pose.name) for video, pose in dlc.pose_files.items()]
    if rows:
        console.print(table(None, ["video", "pose file"], rows))
    console.print(
        f"DeepLabCut {dlc.deeplabcut_version} ({dlc.scorer}) wrote {len(rows)} pose file(s), "
        f"{len(dlc.missing)} video(s) without"
    )
    for video, reason in dlc.missing.items():
        print_error(f"{video}: {reason}")
    if result.scoring is not None:
        print_batch_report(result.scoring, result.out_dir, "scored")
    if dlc.missing:
        raise typer.Exit(code=1)
