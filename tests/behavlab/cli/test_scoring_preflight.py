"""`behavlab score` refuses, before decoding, what it cannot score right; its summary and exit code say so."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import Result

from tests.behavlab.cli.test_scoring_commands import SHORT, WINDOW, run
from tests.tracking.videos import moving_square_frames, write_pyav
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SynthTruth]:
    """Two-tank 320x160 videos of 30 s (L1) and 10 s (S1), and a three-tank 480x160 one (T1)."""
    folder = tmp_path_factory.mktemp("preflight_videos")
    return {
        "L1": write_fst_video(folder / "L1.mp4", duration_s=30.0, seed=31, **SHORT),  # type: ignore[arg-type]
        "S1": write_fst_video(folder / "S1.mp4", duration_s=10.0, seed=32, **SHORT),  # type: ignore[arg-type]
        "T1": write_fst_video(
            folder / "T1.mp4", duration_s=1.0, fps=5.0, size=(480, 160), n_tanks=3, seed=33
        ),
    }


def detected_rois(video: Path, out: Path, *tanks: str) -> Path:
    """The ROI file `behavlab rois detect` writes for ``video``."""
    result = run("rois", "detect", video, "--out", out, *tanks)
    assert result.exit_code == 0, result.output
    return out


def errors(result: Result) -> str:
    """The command's error output on one line."""
    return " ".join(result.stderr.split())


def test_a_video_too_short_for_the_window_fails_alone(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    rois = detected_rois(recordings["L1"].video, tmp_path / "rois.json")
    videos = [recordings["L1"].video, recordings["S1"].video]
    result = run("score", *videos, "--rois", rois, "--out", tmp_path / "out", *WINDOW)
    assert result.exit_code == 1
    assert "scored 1 video(s), 1 failed" in result.stdout
    assert "S1.mp4 is 10.0 s long" in errors(result) and "window needs 30 s" in errors(result)
    assert list(set(pd.read_csv(tmp_path / "out" / "results.csv")["video"])) == ["L1.mp4"]

    default = run("score", recordings["L1"].video, "--rois", rois, "--out", tmp_path / "fst")
    assert default.exit_code == 1 and "scored 0 video(s), 1 failed" in default.stdout
    assert "L1.mp4 is 30.0 s long" in errors(default) and "needs 360 s" in errors(default)


def test_rois_detected_for_other_videos_are_refused(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    three = detected_rois(recordings["T1"].video, tmp_path / "three.json")
    result = run("score", recordings["L1"].video, "--rois", three, "--out", tmp_path / "a", *WINDOW)
    assert result.exit_code == 1 and "1 failed" in result.stdout
    assert "ROIs were drawn on 480x160 frames, the video's are 320x160" in errors(result)
    one = detected_rois(recordings["L1"].video, tmp_path / "one.json", "--tanks", "1")
    result = run("score", recordings["L1"].video, "--rois", one, "--out", tmp_path / "b", *WINDOW)
    assert result.exit_code == 1
    assert "ROIs given for video L1.mp4" in errors(result) and "0) has no ROI" in errors(result)


def test_a_two_tank_frame_without_rois_needs_whole_frame(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    video = recordings["L1"].video
    refused = run("score", video, "--out", tmp_path / "a", *WINDOW)
    assert refused.exit_code == 1 and "scored 0 video(s), 1 failed" in refused.stdout
    assert "L1.mp4" in errors(refused) and "shows 2 tanks" in errors(refused)
    assert "--whole-frame" in errors(refused)
    accepted = run("score", video, "--out", tmp_path / "b", "--whole-frame", *WINDOW)
    assert accepted.exit_code == 0, accepted.output
    assert list(pd.read_csv(tmp_path / "b" / "results.csv")["animal"]) == ["frame"]
    study = run("score", "--study", "S", "--whole-frame")
    assert study.exit_code != 0 and "--whole-frame" in " ".join(study.output.split())


def test_a_variable_frame_rate_is_reported(tmp_path: Path) -> None:
    stamps = np.concatenate([[0], np.cumsum([33 if i % 3 else 83 for i in range(619)])]).tolist()
    frames = moving_square_frames(620)
    vfr = write_pyav(tmp_path / "vfr.mp4", "libx264", frames, pts=stamps, time_base=Fraction(1, 1000))
    result = run("score", vfr, "--out", tmp_path / "out", *WINDOW)
    assert result.exit_code == 0, result.output
    assert "vfr.mp4: variable frame rate" in errors(result)
