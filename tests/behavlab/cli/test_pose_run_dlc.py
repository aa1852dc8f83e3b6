"""`behavlab pose run` with the real DeepLabCut: a tiny project trained on the CPU, a video analysed, scored.

Needs a Python environment with DeepLabCut 3, named by ``BEHAVLAB_DLC_PYTHON`` (``make test-dlc`` builds one
in ``.venv-dlc`` and runs this module); without it every test here is skipped. The project is made by
``dlc_tiny_project.py`` in that environment: a synthetic mouse video drawn from known pose tracks
(:mod:`tracking.pose.synth_video`), frames picked by DeepLabCut and labelled with the true positions, a
few epochs of training from random weights (no ImageNet download). Then behavlab, in its own environment,
has DeepLabCut analyse another video of the same kind and scores the pose file it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from tracking.pose.files import parse_pose_name
from tracking.pose.io import read_dlc
from tracking.pose.synth import PoseSynthConfig, SynthPose, synth_pose_tracks
from tracking.pose.synth_video import write_pose_video

pytestmark = pytest.mark.dlc

DLC_PYTHON_ENV = "BEHAVLAB_DLC_PYTHON"
HELPER = Path(__file__).with_name("dlc_tiny_project.py")
PX_PER_CM = 5.0
#: A small mouse (120 x 144 frames), five well-separated body parts, clean tracks (the drawing is the truth).
CONFIG = PoseSynthConfig(
    duration_s=20.0,
    fps=15.0,
    px_per_cm=PX_PER_CM,
    jitter_px=0.0,
    dropout_fraction=0.0,
    bodyparts=("nose", "centre", "tail_base", "left_forepaw", "right_hindpaw"),
)
TRAINING = {"frames": 20, "train_fraction": 0.95, "net_type": "cspnext_s", "epochs": 25, "batch_size": 4}
#: Small crops of the small frames, and a learning rate for random weights; no evaluation while training.
PYTORCH_UPDATES = {
    "data.train.crop_sampling.width": 96,
    "data.train.crop_sampling.height": 96,
    "runner.optimizer.params.lr": 0.002,
    "runner.eval_interval": 1000,
}
WINDOW = ["--set", "window_start_s=0", "--set", "window_end_s=20", "--set", "test_duration_s=20"]
#: A network trained this briefly is unsure of itself (likelihoods about 0.6-0.8, below the default cutoff of
#: 0.9, which would leave no signal): the round trip keeps every point it predicts.
EVERY_POINT = ["--set", "min_likelihood=0"]


@dataclass(frozen=True)
class TinyProject:
    """The trained project's config.yaml and the python that trained it."""

    config: Path
    python: Path


def run(*args: str | Path) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def dlc_python() -> Path:
    """The DeepLabCut environment's python, or skip the module saying how to get one."""
    value = os.environ.get(DLC_PYTHON_ENV)
    if not value:
        pytest.skip(f"no DeepLabCut environment: set {DLC_PYTHON_ENV} to its python (`make test-dlc` does)")
    python = Path(value)
    if not python.is_file():
        pytest.fail(f"{DLC_PYTHON_ENV}={value} is not a file")
    return python


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def project(dlc_python: Path, tmp_path_factory: pytest.TempPathFactory) -> TinyProject:
    """A single-animal DeepLabCut project labelled from known tracks and trained briefly on the CPU."""
    folder = tmp_path_factory.mktemp("dlc")
    synth = synth_pose_tracks(config=CONFIG, seed=1, bouts=[[(5.0, 12.0)]])
    video = write_pose_video(synth, folder / "training.mp4")
    request = {
        "workdir": str(folder),
        "video": str(video),
        "bodyparts": list(synth.tracks.bodyparts),
        "x": synth.tracks.x[:, 0].tolist(),
        "y": synth.tracks.y[:, 0].tolist(),
        **TRAINING,
        "pytorch_cfg_updates": PYTORCH_UPDATES,
    }
    request_path = folder / "request.json"
    request_path.write_text(json.dumps(request))
    log = folder / "project.log"
    with log.open("w") as output:
        completed = subprocess.run(
            [str(dlc_python), str(HELPER), str(request_path)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    assert completed.returncode == 0, f"making the DeepLabCut project failed:\n{_tail(log)}"
    config = Path(log.read_text().splitlines()[-1])
    assert config.name == "config.yaml" and config.is_file()
    return TinyProject(config, dlc_python)


@pytest.fixture(scope="module")
def swim_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthPose]:
    """Another mouse of the same kind, floating from 6 to 14 s, in a folder of its own."""
    synth = synth_pose_tracks(config=CONFIG, seed=2, bouts=[[(6.0, 14.0)]])
    folder = tmp_path_factory.mktemp("videos")
    return write_pose_video(synth, folder / "M1.mp4"), synth


def test_pose_run_analyses_with_deeplabcut_and_scores_the_pose_file(
    project: TinyProject, swim_video: tuple[Path, SynthPose], tmp_path: Path
) -> None:
    video, synth = swim_video
    out = tmp_path / "scores"
    result = run(
        "pose", "run", video, "--dlc-config", project.config, "--dlc-python", project.python,
        "--device", "cpu", "--out", out, "--px-per-cm", PX_PER_CM, "--per-frame", *WINDOW, *EVERY_POINT,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [pose] = video.parent.glob("M1DLC_*.h5")
    name = parse_pose_name(pose)
    assert name is not None and name.video_stem == "M1" and "shuffle1_snapshot_" in name.scorer
    assert "DeepLabCut 3." in result.stdout and f"({name.scorer}) wrote 1 pose file(s)" in result.stdout
    assert (out / "deeplabcut.log").stat().st_size > 0

    tracks = read_dlc(pose, fps=CONFIG.fps)
    assert tracks.bodyparts == CONFIG.bodyparts and tracks.n_frames == synth.tracks.n_frames == 300
    error = np.hypot(tracks.x[:, 0] - synth.tracks.x[:, 0], tracks.y[:, 0] - synth.tracks.y[:, 0])
    centre = CONFIG.bodyparts.index("centre")
    assert np.nanmedian(error[:, centre]) < 3 * PX_PER_CM  # within 3 cm: the network has learnt the mouse

    document = json.loads((out / "M1.json").read_text())
    assert document["method"] == "pose" and document["video_info"]["pose_file"] == pose.name
    assert document["video_info"]["fps"] == CONFIG.fps and document["video_info"]["px_per_cm"] == PX_PER_CM
    results = pd.read_csv(out / "results.csv")
    assert list(results["video"]) == ["M1.mp4"]
    assert 0.0 <= results["immobility_s"].iloc[0] <= 20.0
    frames = pd.read_csv(next(out.glob("M1.*.frames.csv")))
    assert len(frames) == 300


def test_a_deeplabcut_failure_is_one_line_naming_the_log(
    project: TinyProject, swim_video: tuple[Path, SynthPose], tmp_path: Path
) -> None:
    video, _ = swim_video
    out = tmp_path / "scores"
    result = run(
        "pose", "run", video, "--dlc-config", project.config, "--dlc-python", project.python,
        "--shuffle", "7", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 1
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "DeepLabCut failed analysing 1 video(s)" in error and "(exit status 1)" in error
    assert f"full output in {out / 'deeplabcut.log'}" in error
    assert "Traceback" in (out / "deeplabcut.log").read_text()
    assert not (out / "results.csv").exists()


def test_behavlab_imports_no_deeplabcut_in_its_environment(project: TinyProject) -> None:
    """In the DeepLabCut environment too, importing behavlab and its runner loads neither it nor torch."""
    code = (
        "import importlib.util, sys\n"
        "if importlib.util.find_spec('behavlab') is None: print('no behavlab'); sys.exit()\n"
        "import behavlab.cli.main, behavlab.services.pose_running, tracking.pose.dlc_run\n"
        "print(sorted(m for m in ('deeplabcut', 'torch') if m in sys.modules))\n"
    )
    completed = subprocess.run([str(project.python), "-c", code], capture_output=True, text=True, check=True)
    if completed.stdout.strip() == "no behavlab":
        pytest.skip(f"behavlab is not installed in {project.python}")
    assert completed.stdout.strip() == "[]"
