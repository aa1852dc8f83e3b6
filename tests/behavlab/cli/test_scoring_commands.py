"""`behavlab score / rescore / rois detect / calibrate-noise`, run as a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs
import pytest
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from behavlab.errors import InvalidInputError
from behavlab.services import Workspace, add_fst_session, record_dose, record_manual_score, score_videos
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import RandomizedStudy
from tests.tracking.videos import EZTRACK_CLIP
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video

BEHAVLAB = Path(sys.executable).with_name("behavlab")
SHORT = {"fps": 15.0, "size": (320, 160), "n_tanks": 2, "latency_s": (4.0, 8.0)}
WINDOW = ["--set", "window_start_s=10", "--set", "window_end_s=30", "--set", "test_duration_s=30"]


def run(*args: str | Path) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> list[SynthTruth]:
    """Three 30-s two-tank videos and the ROI file for them."""
    folder = tmp_path_factory.mktemp("cli_videos")
    return [
        write_fst_video(folder / f"B{i}.mp4", duration_s=30.0, seed=20 + i, **SHORT)  # type: ignore[arg-type]
        for i in range(3)
    ]


@pytest.fixture(scope="module")
def rois(videos: list[SynthTruth], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ROI file proposed by `behavlab rois detect` (and checked against the truth)."""
    path = tmp_path_factory.mktemp("rois") / "rois.json"
    result = run("rois", "detect", videos[0].video, "--tanks", "2", "--out", path)
    assert result.exit_code == 0, result.output
    assert path.with_suffix(".png").is_file()
    found = json.loads(path.read_text())["default"]
    for entry, tank in zip(found, videos[0].tanks, strict=True):
        assert entry["label"] == tank.label
        assert abs(entry["cx"] - tank.roi.cx) < 3 and abs(entry["r"] - tank.roi.r) < 6
    return path


def test_score_reports_a_failing_video_and_goes_on(
    videos: list[SynthTruth], rois: Path, tmp_path: Path
) -> None:
    text = tmp_path / "C9.mp4"
    text.write_text("not a video")
    result = run(
        "score", videos[0].video, text, videos[1].video, "--rois", rois, "--out", tmp_path / "out", *WINDOW
    )
    assert result.exit_code == 1
    assert "scored 2 video(s), 1 failed" in result.stdout
    assert f"{text}: cannot read video" in result.stderr.replace("\n", " ")
    assert sorted(set(pd.read_csv(tmp_path / "out" / "results.csv")["video"])) == ["B0.mp4", "B1.mp4"]


def test_bad_options_name_what_is_accepted(videos: list[SynthTruth], tmp_path: Path) -> None:
    result = run("score", videos[0].video, "--out", tmp_path, "--preset", "fts")
    assert result.exit_code == 1 and "unknown preset 'fts'; available: freezing, fst, tst" in result.stderr
    result = run("score", videos[0].video, "--out", tmp_path, "--set", "min_bout=2")
    assert result.exit_code == 1 and "unknown parameter(s) 'min_bout'; accepted:" in result.stderr
    result = run("score", videos[0].video, "--out", tmp_path, "--dask", "slurm")
    assert result.exit_code == 1 and "expected 'local' or tcp://HOST:PORT" in result.stderr
    assert not list(tmp_path.iterdir())


def test_dask_missing_says_how_to_install_it(
    videos: list[SynthTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InvalidInputError) as raised:
        score_videos([videos[0].video], tmp_path, dask="local")
    assert str(raised.value) == "Dask is not installed; install the extra with: pip install 'behavlab[dask]'"
    result = run("score", videos[0].video, "--out", tmp_path, "--dask", "local")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Dask is not installed; install the extra with: pip install")
    assert len(result.stderr.splitlines()) == 1


def test_rescore_matches_a_full_rescore(videos: list[SynthTruth], rois: Path, tmp_path: Path) -> None:
    paths = [v.video for v in videos[:2]]
    assert (
        run("score", *paths, "--rois", rois, "--out", tmp_path / "a", "--per-frame", *WINDOW).exit_code == 0
    )
    new = ["--threshold", "0.05", "--min-bout-s", "0.5"]
    assert (
        run("score", *paths, "--rois", rois, "--out", tmp_path / "b", "--per-frame", *WINDOW, *new).exit_code
        == 0
    )
    result = run("rescore", tmp_path / "a", *new)
    assert result.exit_code == 0, result.output
    assert "rescored 2 video(s), 0 failed" in result.stdout
    for name in ("results.csv", "bins.csv", "B1.tank1.frames.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a" / name), pd.read_csv(tmp_path / "b" / name))


@pytest.mark.slow
def test_dask_local_gives_the_same_results_as_one_job(
    videos: list[SynthTruth], rois: Path, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    paths = [v.video for v in videos]
    assert (
        run("score", *paths, "--rois", rois, "--out", tmp_path / "one", "--jobs", "1", *WINDOW).exit_code == 0
    )
    result = run(
        "score", *paths, "--rois", rois, "--out", tmp_path / "dask", "--dask", "local", "--jobs", "2", *WINDOW
    )
    assert result.exit_code == 0, result.output
    for name in ("results.csv", "bins.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "one" / name), pd.read_csv(tmp_path / "dask" / name)
        )


def complete_outputs(out: Path) -> dict[str, float]:
    """Check every visible file is whole; return each finished video's JSON modification time."""
    finished = {}
    for path in out.iterdir():
        if path.name.startswith("."):
            continue
        if path.suffix == ".json":
            document = json.loads(path.read_text())
            for name in (*document["files"].values(),):
                assert isinstance(name, list) or (out / name).is_file(), f"{path.name} lists a missing {name}"
            finished[path.stem] = path.stat().st_mtime_ns
        elif path.suffix == ".csv":
            pd.read_csv(path)
        elif path.suffix == ".npz":
            with np.load(path) as data:
                assert len(data["values"]) == len(data["timestamps"]) > 0, f"{path.name} is cut short"
        elif path.suffix == ".png":
            assert path.read_bytes().endswith(b"IEND\xaeB`\x82"), f"{path.name} is cut short"
    return finished


@pytest.mark.slow
def test_killed_batch_resumes_without_losing_or_redoing_videos(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        write_fst_video(folder / f"R{i}.mp4", duration_s=60.0, seed=40 + i, **SHORT)  # type: ignore[arg-type]
    out = tmp_path / "out"
    options = ["--jobs", "1", "--per-frame", "--whole-frame", *WINDOW]
    command = [str(BEHAVLAB), "score", str(folder), "--out", str(out), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
    deadline = time.monotonic() + 120
    while not (out / "R0.json").exists():
        assert process.poll() is None and time.monotonic() < deadline, (
            "the batch ended before its first video"
        )
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = complete_outputs(out)
    assert "R0" in before and len(before) < 4
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(before)} already done" in resumed.stdout
    after = complete_outputs(out)
    assert sorted(after) == ["R0", "R1", "R2", "R3"]
    assert all(after[stem] == stamp for stem, stamp in before.items()), "a finished video was scored again"
    results = pd.read_csv(out / "results.csv")
    assert list(results["video"]) == ["R0.mp4", "R1.mp4", "R2.mp4", "R3.mp4"]


def test_calibrate_noise_on_eztracks_clip() -> None:
    if not EZTRACK_CLIP.is_file():
        pytest.skip(f"ezTrack practice clip not found at {EZTRACK_CLIP}")
    result = run("calibrate-noise", EZTRACK_CLIP)
    assert result.exit_code == 0, result.output
    suggested = float(result.stdout.split("suggested pixel cutoff: ")[1].split()[0])
    assert suggested == pytest.approx(9.79, rel=0.10)


def test_a_study_scoring_says_where_its_files_are_and_the_report_why_agreement_is_missing(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    earlier = platformdirs.user_data_path("behavlab") / "scoring" / randomized.name
    (earlier / "motion-0123456789ab").mkdir(parents=True)
    video = write_fst_video(tmp_path / "fst.avi", duration_s=30.0, fps=10, size=(96, 64), seed=1).video
    dosed = randomized.weighed_at + timedelta(minutes=5)
    for index, code in enumerate([randomized.code_in_arm(0), randomized.code_in_arm(1)]):
        copy = tmp_path / f"fst{index}.avi"
        copy.write_bytes(video.read_bytes() + bytes([index]))
        record_dose(workspace, randomized.name, code, at=dosed)
        add_fst_session(workspace, randomized.name, code, copy, tested_at=dosed + timedelta(hours=1))
        record_manual_score(workspace, randomized.name, code, 1.0 + index, "ana")
    scored = cli("score", "--study", randomized.name, "--jobs", "1", *WINDOW)
    assert scored.exit_code == 0, scored.output
    folder = workspace.files_folder("scoring") / randomized.name
    assert f"files in {folder / 'motion-'}" in scored.stdout
    assert (
        f"warning: scorings made before they were kept beside the database are in {earlier}" in scored.stderr
    )
    reported = cli("report", randomized.name, "--out", str(tmp_path / "report"))
    assert reported.exit_code == 0, reported.output
    assert (
        "note: Agreement of motion with manual immobility scoring is not shown: it needs at least 3 animals "
        "scored by both; animals scored by both: 2." in reported.stdout
    )
