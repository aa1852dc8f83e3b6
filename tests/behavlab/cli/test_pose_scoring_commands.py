"""`behavlab score --method pose / --pose / --study`, `calibrate` and `agreement`, run as a user would."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import baseline_weights, sheet_rows, write_roster, write_weights
from tests.shared_data import SHARED_DATA
from tracking.batch.cache import load_signal_cache
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, write_synth_pose
from tracking.pose.synth_video import write_pose_video
from tracking.rules.immobility import classify_frames, smooth_signal
from tracking.synth.videos import write_fst_video

SAMPLE = SHARED_DATA / "dlc3_sample"
SAMPLE_STEM = "mouse1DLC_Resnet50_tinyNov25shuffle1_snapshot_best-10"
needs_sample = pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"no sample data at {SAMPLE}")
WINDOW_120 = ["--set", "window_start_s=0", "--set", "window_end_s=120", "--set", "test_duration_s=120"]
POSE_120 = PoseSynthConfig(duration_s=120.0)


def run(*args: str | Path) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pose_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three 120-s synthetic DeepLabCut files without videos (.h5, .csv, .h5)."""
    folder = tmp_path_factory.mktemp("pose_files")
    return [
        write_synth_pose(synth_pose_tracks(seed=80 + i, config=POSE_120), folder, f"K{i}", suffix=suffix)
        for i, suffix in enumerate((".h5", ".csv", ".h5"))
    ]


@needs_sample
def test_the_real_deeplabcut3_sample_scores_through_the_cli(tmp_path: Path) -> None:
    detected = run("score", "--method", "pose", SAMPLE, "--out", tmp_path / "d")
    assert detected.exit_code == 1 and "scored 0 video(s), 1 failed" in detected.stdout
    never = "animal 'animal' is never tracked for 1 s (all body parts at likelihood >= 0.9); enter its test"
    assert never in _one_line(detected.stderr)
    result = run(
        "score", "--method", "pose", SAMPLE, "--start-s", "0", "--out", tmp_path / "a", "--per-frame"
    )
    assert result.exit_code == 0, result.output
    assert "scored 1 video(s), 0 failed" in result.stdout
    assert "below the likelihood cutoff 0.9" in _one_line(result.stderr)  # a barely trained network
    assert list(pd.read_csv(tmp_path / "a" / "results.csv")["video"]) == ["mouse1.mp4"]
    assert (tmp_path / "a" / "mouse1.animal.frames.csv").is_file() and (
        tmp_path / "a" / "mouse1.rois.png"
    ).is_file()

    lenient = run(
        "score",
        "--pose",
        SAMPLE / f"{SAMPLE_STEM}.csv",
        "--fps",
        "30",
        "--min-likelihood",
        "0.2",
        "--tank-diameter-px",
        "180",
        "--set",
        "window_start_s=0",
        "--out",
        tmp_path / "b",
    )
    assert lenient.exit_code == 0, lenient.output
    row = pd.read_csv(tmp_path / "b" / "results.csv").iloc[0]
    assert row["video"] == "mouse1.mp4" and row["scored_s"] > 9.0 and np.isfinite(row["immobility_s"])
    document = json.loads((tmp_path / "b" / "mouse1.json").read_text())
    assert document["video_info"]["px_per_cm"] == pytest.approx(9.0)  # 180 px over the default 20 cm


def test_pose_files_alone_score_and_a_malformed_one_fails_alone(
    pose_files: list[Path], tmp_path: Path
) -> None:
    broken = tmp_path / "K9DLC_Resnet50_synthfstNov25shuffle1_snapshot_best-100.h5"
    broken.write_bytes(b"\x89HDF\r\n\x1a\n truncated")
    args = ["--fps", "30", "--px-per-cm", "10", "--out", tmp_path / "out", *WINDOW_120]
    result = run(
        "score", *[a for p in (*pose_files[:2], broken, pose_files[2]) for a in ("--pose", p)], *args
    )
    assert result.exit_code == 1
    assert "scored 3 video(s), 1 failed" in result.stdout
    assert f"{broken}: not a readable DeepLabCut HDF5 file" in _one_line(result.stderr)
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(results["video"]) == ["K0", "K1", "K2"] and set(results["method"]) == {"pose"}
    assert (results["immobility_s"] > 10).all()

    wrong = run("score", "--method", "motion", "--pose", pose_files[0], "--out", tmp_path / "m")
    assert wrong.exit_code == 1 and "use --method pose" in wrong.stderr
    unknown = run(
        "score", "--pose", pose_files[0], "--fps", "30", "--pixel-cutoff", "9", "--out", tmp_path / "u"
    )
    assert unknown.exit_code == 1 and "unknown parameter(s) 'pixel_cutoff'" in _one_line(unknown.stderr)
    nothing = run("score", "--out", tmp_path / "n")
    assert nothing.exit_code == 1 and "nothing to score" in nothing.stderr


def _rater_labels(out_dir: Path, stems: list[str], threshold: float, folder: Path) -> list[Path]:
    """Per-frame labels of a rater who applies the rule (threshold, 1-s bouts) to the smoothed signal."""
    paths = []
    for stem in stems:
        cache = load_signal_cache(out_dir / f"{stem}.signal.npz")
        scored = smooth_signal(cache.signal("animal"), cache.fps, 0.5)
        immobile = classify_frames(scored, fps=cache.fps, threshold=threshold, min_bout_s=1.0).immobile
        path = folder / f"{stem}.csv"
        pd.DataFrame({"frame": np.arange(immobile.size), "immobile": immobile.astype(int)}).to_csv(
            path, index=False
        )
        paths.append(path)
    return paths


def test_calibrate_recovers_a_known_threshold_and_the_preset_scores(
    pose_files: list[Path], tmp_path: Path
) -> None:
    signals = tmp_path / "signals"
    scored = run(
        "score",
        *[a for p in pose_files for a in ("--pose", p)],
        "--fps",
        "30",
        "--px-per-cm",
        "10",
        "--out",
        signals,
        *WINDOW_120,
    )
    assert scored.exit_code == 0, scored.output
    true_threshold = 2.0  # cm/s
    labels = _rater_labels(signals, ["K0", "K1", "K2"], true_threshold, tmp_path)
    result = run(
        "calibrate",
        signals,
        *[a for p in labels for a in ("--labels", p)],
        "--name",
        "lab_pose",
        "--out",
        tmp_path / "cal",
    )
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    fitted = float(re.search(r"fitted on all 3 videos \(kappa\): threshold ([0-9.]+)", text)[1])  # type: ignore[index]
    assert fitted == pytest.approx(true_threshold, rel=0.05)  # the grid's step is about 3%
    assert "minimum bout 1 s (pose method)" in text
    kappa = float(
        re.search(r"cross-validated per frame: accuracy [0-9.]+, F1 [0-9.]+, Cohen's kappa ([0-9.]+)", text)[
            1
        ]
    )  # type: ignore[index]
    assert kappa > 0.95
    assert re.search(r"cross-validated per video \(n = 3\): Pearson r (0\.9\d\d|1\.000)", text)
    preset = tmp_path / "xdg-data" / "behavlab" / "presets" / "lab_pose.json"
    saved = json.loads(preset.read_text())
    assert (
        saved["params"]["threshold"] == pytest.approx(fitted, rel=1e-3)
        and saved["signal"]["kind"] == "relative"
    )
    assert "px_per_cm" not in saved["signal"]  # the camera's scale stays with the camera
    assert (tmp_path / "cal" / "lab_pose.calibration.png").stat().st_size > 10_000
    record = json.loads((tmp_path / "cal" / "lab_pose.calibration.json").read_text())
    assert len(record["cross_validated"]["folds"]) == 3

    again = run("calibrate", signals, *[a for p in labels for a in ("--labels", p)], "--name", "lab_pose")
    assert again.exit_code == 1 and "preset 'lab_pose' exists" in _one_line(again.stderr)
    builtin = run("calibrate", signals, *[a for p in labels for a in ("--labels", p)], "--name", "fst")
    assert builtin.exit_code == 1 and "'fst' is a built-in preset" in builtin.stderr
    unknown = run("calibrate", signals, "--labels", labels[0], "--name", "x", "--objective", "auc")
    assert unknown.exit_code == 1 and "expected kappa, accuracy, f1 or seconds" in _one_line(unknown.stderr)

    use = run(
        "score",
        "--pose",
        pose_files[0],
        "--preset",
        "lab_pose",
        "--fps",
        "30",
        "--px-per-cm",
        "10",
        "--out",
        tmp_path / "use",
    )
    assert use.exit_code == 0, use.output
    row = pd.read_csv(tmp_path / "use" / "results.csv").iloc[0]
    assert row["preset"] == "lab_pose" and row["threshold"] == pytest.approx(saved["params"]["threshold"])
    assert row["threshold_source"] == "fixed"


def _boris(path: Path, bouts: dict[str, list[tuple[float, float]]]) -> Path:
    """A BORIS aggregated-events export: one row per bout, plus a row of another behaviour."""
    rows = [
        {
            "Observation id": "day1",
            "Media file name": f"C:\\fst\\{video}.mp4",
            "Subject": "",
            "Behavior": "Immobility",
            "Behavior type": "STATE",
            "Start (s)": start,
            "Stop (s)": stop,
        }
        for video, spans in bouts.items()
        for start, stop in spans
    ]
    rows.append({**rows[0], "Behavior": "climbing", "Start (s)": 0.0, "Stop (s)": 50.0})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _expected(
    first: dict[str, list[tuple[float, float]]], second: dict[str, list[tuple[float, float]]]
) -> dict[str, float]:
    """The statistics computed independently: frames at k/30 s in 0-60 s, interval overlaps, scipy."""
    times = np.arange(1800) / 30.0

    def mask(spans: list[tuple[float, float]]) -> np.ndarray:
        return np.array([any(a <= t < b for a, b in spans) for t in times])

    def seconds(spans: list[tuple[float, float]]) -> float:
        return sum(max(0.0, min(b, 60.0) - max(a, 0.0)) for a, b in spans)

    a = np.concatenate([mask(first[v]) for v in first])
    b = np.concatenate([mask(second[v]) for v in first])
    table = pd.crosstab(a, b)
    n = table.to_numpy().sum()
    observed = np.trace(table.to_numpy()) / n
    chance = (table.sum(axis=1) * table.sum(axis=0)).sum() / n**2
    tp, fp, fn = table.loc[True, True], table.loc[False, True], table.loc[True, False]
    ref = np.array([seconds(first[v]) for v in first])
    oth = np.array([seconds(second[v]) for v in first])
    diff = oth - ref
    return {
        "accuracy": observed,
        "f1": 2 * tp / (2 * tp + fp + fn),
        "kappa": (observed - chance) / (1 - chance),
        "r": stats.pearsonr(ref, oth).statistic,
        "bias": diff.mean(),
        "low": diff.mean() - 1.96 * diff.std(ddof=1),
        "high": diff.mean() + 1.96 * diff.std(ddof=1),
        "frames": n,
    }


def test_agreement_of_two_raters_matches_independently_computed_statistics(tmp_path: Path) -> None:
    first = {
        "m1": [(5.0, 12.0), (20.0, 31.5), (40.0, 58.0)],
        "m2": [(2.0, 4.0), (30.0, 45.0)],
        "m3": [(10.0, 50.0)],
        "m4": [(0.5, 3.0), (15.0, 16.0), (33.0, 59.9)],
    }
    second = {
        "m1": [(5.4, 12.3), (21.0, 31.0), (40.2, 60.5)],
        "m2": [(2.5, 4.0), (29.0, 44.0), (50.0, 51.0)],
        "m3": [(11.0, 48.0)],
        "m4": [(0.0, 3.5), (34.0, 59.0)],
    }
    png = tmp_path / "agreement.png"
    result = run(
        "agreement",
        _boris(tmp_path / "rater_a.csv", first),
        _boris(tmp_path / "rater_b.csv", second),
        "--window-start-s",
        "0",
        "--window-end-s",
        "60",
        "--png",
        png,
    )
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    want = _expected(first, second)
    assert (
        f"agreement per frame: accuracy {want['accuracy']:.3f}, F1 {want['f1']:.3f}, "
        f"Cohen's kappa {want['kappa']:.3f} over {want['frames']} frames"
    ) in text
    assert (
        f"agreement per video (n = 4): Pearson r {want['r']:.3f}, Bland-Altman bias {want['bias']:.2f} s, "
        f"95% limits of agreement {want['low']:.2f} to {want['high']:.2f} s"
    ) in text
    assert re.search(r"m3\s*│\s*│\s*40\.0\s*│\s*37\.0\s*│\s*-3\.0\s*│", text)
    assert png.stat().st_size > 10_000

    tolerant = run(
        "agreement",
        tmp_path / "rater_a.csv",
        tmp_path / "rater_b.csv",
        "--window-start-s",
        "0",
        "--window-end-s",
        "60",
        "--tolerance-s",
        "0.5",
    )
    accuracy = float(re.search(r"accuracy ([0-9.]+)", _one_line(tolerant.stdout))[1])  # type: ignore[index]
    assert tolerant.exit_code == 0 and accuracy > want["accuracy"] and "ignored" in tolerant.stdout


def test_agreement_of_human_labels_with_machine_outputs(pose_files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    scored = run(
        "score",
        *[a for p in pose_files[:2] for a in ("--pose", p)],
        "--fps",
        "30",
        "--px-per-cm",
        "10",
        "--out",
        out,
        *WINDOW_120,
        "--per-frame",
    )
    assert scored.exit_code == 0, scored.output
    truth = {f"K{i}": synth_pose_tracks(seed=80 + i, config=POSE_120) for i in range(2)}
    boris = _boris(
        tmp_path / "truth.csv", {stem: [tuple(b) for b in synth.bouts[0]] for stem, synth in truth.items()}
    )
    result = run(
        "agreement", boris, out, "--window-start-s", "0", "--window-end-s", "120", "--tolerance-s", "0.5"
    )
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    accuracy = float(re.search(r"agreement per frame: accuracy ([0-9.]+)", text)[1])  # type: ignore[index]
    assert accuracy >= 0.97
    frames_csv = run(
        "agreement", boris, out / "K0.animal.frames.csv", "--window-start-s", "0", "--window-end-s", "120"
    )
    assert frames_csv.exit_code == 0 and "only in the first scoring: K1" in _one_line(frames_csv.stderr)
    seconds = run("agreement", out / "results.csv", out, "--window-start-s", "0", "--window-end-s", "120")
    assert seconds.exit_code == 0 and "needs >= 3 videos, got 2" in _one_line(seconds.stdout)
    assert len(re.findall(r"K\d\s*│[^│]*│[^│]*│[^│]*│\s*0\.0\s*│", seconds.stdout)) == 2  # no difference


ENV = {"BEHAVLAB_PASSPHRASE": "tundra lantern quiver mosaic"}


def test_score_study_pose_pairs_each_session_video_with_its_pose_file(cli: Invoke, tmp_path: Path) -> None:
    def ok(*args: str) -> str:
        result = cli(*args, env=ENV)
        assert result.exit_code == 0, result.output
        return result.output

    ok("study", "create", "s", "--test-hours-post-dose", "1")
    ok("animals", "import", "s", str(write_roster(tmp_path / "r.csv", 3, with_weights=False)))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    morning = datetime.combine(yesterday.date(), time(8, 0), yesterday.tzinfo)
    ok("animals", "weigh", "s", str(write_weights(tmp_path / "w.csv", baseline_weights(3), morning)))
    sheet = tmp_path / "prep.csv"
    ok("randomize", "s", "--no-protocol", "--yes", "--seed", "5", "--preparer-sheet", str(sheet))
    codes = [row["code"] for row in sheet_rows(sheet)]
    videos = tmp_path / "videos"
    videos.mkdir()
    for index, code in enumerate(codes):
        dosed = morning + timedelta(hours=1, minutes=index)
        ok("dose", "s", code, "--at", dosed.isoformat())
        video = videos / f"day1_cam{index}.avi"
        write_fst_video(video, duration_s=2.0, fps=10, size=(320, 288), seed=index)  # poses lie in the frame
        if index < 2:  # the third session has no DeepLabCut file
            write_synth_pose(
                synth_pose_tracks(seed=90 + index, config=PoseSynthConfig(duration_s=20.0)),
                videos,
                video.stem,
            )
        ok("fst", "add", "s", code, "--video", str(video), "--at", (dosed + timedelta(hours=1)).isoformat())
    window = ["--set", "window_start_s=0", "--set", "window_end_s=2", "--set", "test_duration_s=2"]
    out = tmp_path / "scores"
    pose = cli(
        "score",
        "--study",
        "s",
        "--method",
        "pose",
        "--px-per-cm",
        "10",
        "--out",
        str(out),
        *window,
        "--jobs",
        "1",
    )
    assert pose.exit_code == 1
    assert "scored 2 session(s), 0 already scored with these parameters, 1 failed" in _one_line(pose.stdout)
    assert f"{codes[2]}: no DeepLabCut file named day1_cam2DLC_<scorer>.h5 or .csv" in _one_line(pose.stderr)
    names = [p.name for p in out.rglob("*")]
    assert names and not any("day1" in name or "cam" in name for name in names)  # files carry codes only
    again = cli(
        "score",
        "--study",
        "s",
        "--method",
        "pose",
        "--px-per-cm",
        "10",
        "--out",
        str(out),
        *window,
        "--jobs",
        "1",
    )
    assert "scored 0 session(s), 2 already scored" in _one_line(again.stdout) and again.exit_code == 1
    motion = cli("score", "--study", "s", *window, "--jobs", "1")
    assert motion.exit_code == 0, motion.output
    assert "scored 3 session(s), 0 already scored with these parameters, 0 failed" in _one_line(motion.stdout)
    listed = ok("fst", "list", "s")
    assert listed.count("pose") >= 2 and listed.count("motion") >= 3
    refused = cli("score", "--study", "s", str(videos), env=ENV)
    assert refused.exit_code == 1 and "give no paths or --pose" in refused.stderr


def test_agreement_of_the_motion_and_pose_methods_on_one_video(tmp_path: Path) -> None:
    synth = synth_pose_tracks(
        seed=95, config=PoseSynthConfig(duration_s=30.0, jitter_px=0.0, dropout_fraction=0.0)
    )
    folder = tmp_path / "videos"
    folder.mkdir()
    write_pose_video(synth, folder / "P1.mp4")
    write_synth_pose(synth, folder, "P1")
    window = ["--set", "window_start_s=0", "--set", "window_end_s=30", "--set", "test_duration_s=30"]
    common = [*window, "--per-frame", "--jobs", "1"]
    assert run("score", folder / "P1.mp4", "--out", tmp_path / "motion", *common).exit_code == 0
    assert (
        run(
            "score", "--method", "pose", folder, "--px-per-cm", "10", "--out", tmp_path / "pose", *common
        ).exit_code
        == 0
    )
    result = run(
        "agreement", tmp_path / "motion", tmp_path / "pose", "--window-start-s", "0", "--window-end-s", "30"
    )
    assert result.exit_code == 0, result.output
    motion = pd.read_csv(tmp_path / "motion" / "P1.frame.frames.csv")
    pose = pd.read_csv(tmp_path / "pose" / "P1.animal.frames.csv")
    known = (motion["state"] != "missing") & (pose["state"] != "missing")
    accuracy = float((motion["immobile"] == pose["immobile"])[known].mean())
    seconds = [
        pd.read_csv(tmp_path / kind / "results.csv")["immobility_s"].iloc[0] for kind in ("motion", "pose")
    ]
    text = _one_line(result.stdout)
    assert (
        f"agreement per frame: accuracy {accuracy:.3f}," in text and f"over {int(known.sum())} frames" in text
    )
    assert re.search(rf"P1\s*│[^│]*│[^│]*│[^│]*│\s*{seconds[1] - seconds[0]:.1f}\s*│", result.stdout)
    assert "Pearson r and Bland-Altman not computed: needs >= 3 videos, got 1" in text  # pose minus motion
