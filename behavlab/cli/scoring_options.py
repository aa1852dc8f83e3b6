"""Options of `behavlab score` alone: method, study, signal options, where it runs, test starts."""

from __future__ import annotations

import typer

METHOD_HELP = (
    "motion (changed pixels per ROI) or pose (DeepLabCut tracks: each video's <video>DLC_<scorer>.h5/.csv "
    "next to it). Default: pose with --pose, else motion."
)


POSE_FILES_OPTION = typer.Option(
    [], "--pose", help="A DeepLabCut .h5/.csv scored alone (repeatable); its video's fps, else --fps."
)
STUDY_OPTION = typer.Option(
    None, "--study", help="Score this study's FST sessions not yet scored with these parameters."
)
PIXEL_CUTOFF_OPTION = typer.Option(
    None,
    "--pixel-cutoff",
    help="Motion: grey levels a pixel must change by to count (see calibrate-noise).",
)
FPS_OPTION = typer.Option(
    None, "--fps", help="Pose: frames per second of pose files scored without their video."
)
TANK_DIAMETER_PX_OPTION = typer.Option(
    None, "--tank-diameter-px", help="Pose: the tank's inner diameter in pixels (instead of --px-per-cm)."
)
TANK_DIAMETER_CM_OPTION = typer.Option(
    None, "--tank-diameter-cm", help="Pose: the tank's inner diameter in cm (default 20)."
)
BODYPARTS_OPTION = typer.Option(
    None, "--bodyparts", help="Pose: body parts to use, comma-separated (default: all in the file)."
)
MIN_LIKELIHOOD_OPTION = typer.Option(
    None, "--min-likelihood", help="Pose: drop points below this DeepLabCut likelihood (default 0.9)."
)
OUT_OPTION = typer.Option(
    None,
    "--out",
    help="Output folder (default behavlab-scores; with --study, <database>.scoring/<study> beside SQLite).",
)
DASK_OPTION = typer.Option(
    None,
    "--dask",
    help="Run on Dask: 'local' (a LocalCluster) or tcp://HOST:PORT (needs behavlab\\[dask]).",
)

WHOLE_FRAME_OPTION = typer.Option(
    False,
    "--whole-frame",
    help="Without --rois: score the whole frame as one animal though it shows several tanks.",
)

START_S_OPTION = typer.Option(
    None,
    "--start-s",
    help="Test start in seconds of video time for every ROI of every video (single-animal videos); "
    "0: tests start with the video. Default: each animal's start is detected.",
)
MANIFEST_OPTION = typer.Option(
    None,
    "--manifest",
    help="CSV of test starts: columns video (file name), roi (label), start_s (seconds of video time); "
    "one row per video and ROI.",
    exists=True,
    dir_okay=False,
)
DETECT_START_OPTION = typer.Option(
    False,
    "--detect-start",
    help="Detect each animal's test start (the default without --start-s or --manifest): motion, its entry "
    "into the water from its ROI's motion; pose, the first sustained run of frames where its body parts are "
    "tracked at --min-likelihood. An animal with no start found fails alone.",
)
