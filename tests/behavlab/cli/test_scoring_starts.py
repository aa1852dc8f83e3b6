"""`behavlab score --start-s / --manifest / --detect-start`: each animal's test start in a batch of files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.behavlab.cli.test_scoring_commands import run
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, with_lead_in, write_synth_pose
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video
from tracking.video.rois import RoiFile
from writing.documents import write_json

WINDOW = ["--set", "window_start_s=5", "--set", "window_end_s=25", "--set", "test_duration_s=25"]


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SynthTruth]:
    """One mouse dropped in after 6 s (S6), and two tanks whose second stays empty (E2)."""
    folder = tmp_path_factory.mktemp("start_videos")
    short = {"fps": 10.0, "size": (320, 160), "latency_s": (3.0, 6.0)}
    return {
        "S6": write_fst_video(folder / "S6.mp4", duration_s=32.0, n_tanks=1, entry_s=6.0, seed=7, **short),  # type: ignore[arg-type]
        "E2": write_fst_video(
            folder / "E2.mp4",
            duration_s=32.0,
            n_tanks=2,
            entry_s=(5.0, 99.0),
            seed=8,
            **short,  # type: ignore[arg-type]
        ),
    }


def rois_of(truth: SynthTruth, path: Path) -> Path:
    """An ROI file with the video's tanks as its default."""
    write_json(path, RoiFile(default=tuple(tank.roi for tank in truth.tanks)).to_dict())
    return path


def errors(output: str) -> str:
    """Output on one line."""
    return " ".join(output.split())


def test_start_s_scores_every_tank_from_the_entered_start(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    truth = recordings["S6"]
    rois = rois_of(truth, tmp_path / "rois.json")
    result = run("score", truth.video, "--rois", rois, "--out", tmp_path, "--start-s", "6", *WINDOW)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(tmp_path / "results.csv").iloc[0]
    assert (row["test_start_s"], row["start_source"], row["window_start_s"]) == (6.0, "entered", 11.0)
    assert abs(row["immobility_s"] - truth.tanks[0].test_immobility_s(5.0, 25.0)) <= 0.5


def test_a_late_start_makes_the_video_too_short(recordings: dict[str, SynthTruth], tmp_path: Path) -> None:
    truth = recordings["S6"]
    rois = rois_of(truth, tmp_path / "rois.json")
    result = run("score", truth.video, "--rois", rois, "--out", tmp_path, "--start-s", "10", *WINDOW)
    assert result.exit_code == 1
    assert "needs 35 s (test start 10 s + window end 25 s)" in errors(result.stderr)


def test_a_bad_manifest_is_refused_naming_file_row_and_field(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    truth = recordings["S6"]
    manifest = tmp_path / "starts.csv"
    manifest.write_text("video,roi,start_s\nS6.mp4,tank1,six\n")
    result = run("score", truth.video, "--manifest", manifest, "--out", tmp_path / "out", *WINDOW)
    assert result.exit_code != 0
    message = errors(result.stderr)
    assert f"{manifest}, row 2, field start_s: 'six' is not accepted; expected seconds >= 0" in message
    assert not (tmp_path / "out" / "results.csv").exists()


def test_a_manifest_gives_each_tank_its_start(recordings: dict[str, SynthTruth], tmp_path: Path) -> None:
    truth = recordings["S6"]
    manifest = tmp_path / "starts.csv"
    manifest.write_text("video,roi,start_s\nS6.mp4,tank1,6\n")
    rois = rois_of(truth, tmp_path / "rois.json")
    result = run("score", truth.video, "--rois", rois, "--manifest", manifest, "--out", tmp_path, *WINDOW)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "results.csv")["test_start_s"].tolist() == [6.0]


def test_detect_start_scores_the_tanks_entered_and_names_the_empty_one(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    truth = recordings["E2"]
    rois = rois_of(truth, tmp_path / "rois.json")
    result = run("score", truth.video, "--rois", rois, "--out", tmp_path, "--detect-start", *WINDOW)
    assert result.exit_code == 1
    assert "E2.mp4 tank2: no entry into the water detected in ROI 'tank2'" in errors(result.stderr)
    assert "scored 1 video(s), 0 failed, 1 animal(s) failed" in errors(result.output)
    row = pd.read_csv(tmp_path / "results.csv").iloc[0]
    assert (row["animal"], row["start_source"]) == ("tank1", "detected")
    assert abs(row["test_start_s"] - 5.0) <= 0.5
    assert abs(row["immobility_s"] - truth.tanks[0].test_immobility_s(5.0, 25.0)) <= 1.0


def test_two_sources_of_starts_are_refused(recordings: dict[str, SynthTruth], tmp_path: Path) -> None:
    truth = recordings["S6"]
    result = run("score", truth.video, "--start-s", "6", "--detect-start", "--out", tmp_path, *WINDOW)
    assert result.exit_code != 0
    assert "--start-s and --detect-start both give test starts; give one of them" in errors(result.stderr)


def test_without_an_entered_start_each_start_is_detected_and_start_s_0_is_the_video_start(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    truth = recordings["S6"]
    rois = rois_of(truth, tmp_path / "rois.json")
    detected = run("score", truth.video, "--rois", rois, "--out", tmp_path / "detected", *WINDOW)
    assert detected.exit_code == 0, detected.output
    row = pd.read_csv(tmp_path / "detected" / "results.csv").iloc[0]
    assert row["start_source"] == "detected" and abs(row["test_start_s"] - 6.0) <= 0.5
    video_start = run(
        "score", truth.video, "--rois", rois, "--out", tmp_path / "zero", "--start-s", "0", *WINDOW
    )
    assert video_start.exit_code == 0, video_start.output
    row = pd.read_csv(tmp_path / "zero" / "results.csv").iloc[0]
    assert (row["test_start_s"], row["start_source"], row["window_start_s"]) == (0.0, "entered", 5.0)


def test_pose_files_detect_each_start_by_default_and_start_s_0_starts_with_the_recording(
    tmp_path: Path,
) -> None:
    synth = synth_pose_tracks(config=PoseSynthConfig(duration_s=40.0), seed=3)
    pose = write_synth_pose(with_lead_in(synth, (7.0,)), tmp_path, "P7")
    options = ["--pose", pose, "--fps", "30", "--px-per-cm", "10", *WINDOW]
    detected = run("score", *options, "--out", tmp_path / "detected")
    assert detected.exit_code == 0, detected.output
    row = pd.read_csv(tmp_path / "detected" / "results.csv").iloc[0]
    assert row["start_source"] == "detected" and abs(row["test_start_s"] - 7.0) <= 0.5
    assert row["start_confidence"] > 0.9 and row["window_start_s"] == pytest.approx(row["test_start_s"] + 5)
    recording = run("score", *options, "--start-s", "0", "--out", tmp_path / "recording")
    assert recording.exit_code == 0, recording.output
    row = pd.read_csv(tmp_path / "recording" / "results.csv").iloc[0]
    assert (row["test_start_s"], row["start_source"], row["window_start_s"]) == (0.0, "entered", 5.0)
