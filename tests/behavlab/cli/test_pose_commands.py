"""`behavlab pose run` without DeepLabCut: one-line errors naming the fix, before anything is written.

The run with the real DeepLabCut is tests/behavlab/cli/test_pose_run_dlc.py (marker ``dlc``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from tests.tracking.dlc_helpers import python_without_deeplabcut


def run(*args: str | Path) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def no_dlc_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real interpreter without DeepLabCut."""
    return python_without_deeplabcut(tmp_path_factory.mktemp("venv") / "no-dlc")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A project file and a video file (DeepLabCut would read them; it is never reached here)."""
    config = tmp_path / "tiny-lab-2026-01-01" / "config.yaml"
    config.parent.mkdir()
    config.write_text("Task: tiny\n")
    video = tmp_path / "M1.mp4"
    video.write_bytes(b"\0")
    return config, video


def test_without_deeplabcut_one_line_says_how_to_install_it(
    project: tuple[Path, Path], no_dlc_python: Path, tmp_path: Path
) -> None:
    config, video = project
    out = tmp_path / "scores"
    result = run("pose", "run", "--dlc-config", config, video, "--dlc-python", no_dlc_python, "--out", out)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert f"deeplabcut is not importable by {no_dlc_python}" in errors[0]
    assert "install with pip install 'behavlab[dlc]' or pass --dlc-python PATH" in errors[0]
    assert "Traceback" not in result.output
    assert f"running DeepLabCut with {no_dlc_python}" in result.stderr
    assert not any(video.parent.glob("M1DLC_*"))


def test_a_missing_project_or_video_is_named(project: tuple[Path, Path], tmp_path: Path) -> None:
    _, video = project
    result = run("pose", "run", "--dlc-config", tmp_path / "none.yaml", video, tmp_path / "M9.mp4")
    assert result.exit_code == 1
    assert f"no such file or folder: {tmp_path / 'none.yaml'}, {tmp_path / 'M9.mp4'}" in result.stderr


def test_a_folder_without_videos_is_refused(project: tuple[Path, Path], tmp_path: Path) -> None:
    config, _ = project
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("pose", "run", "--dlc-config", config, empty)
    assert result.exit_code == 1 and f"no video files in folder {empty}" in result.stderr


def test_the_dlc_python_must_exist(project: tuple[Path, Path], tmp_path: Path) -> None:
    config, video = project
    result = run("pose", "run", "--dlc-config", config, video, "--dlc-python", tmp_path / "dlc" / "python")
    assert result.exit_code == 1
    assert f"no Python interpreter at {tmp_path / 'dlc' / 'python'}" in result.stderr
