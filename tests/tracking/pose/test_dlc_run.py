"""tracking.pose.dlc_run without DeepLabCut: the command, the missing-DeepLabCut message, finding outputs.

Running DeepLabCut itself is proven by the integration test (tests/behavlab/cli/test_pose_run_dlc.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tracking.dlc_helpers import python_without_deeplabcut
from tracking.pose.dlc_run import (
    DLC_INSTALL_HINT,
    DLC_SCRIPT,
    DlcAnalysis,
    DlcUnavailableError,
    dlc_command,
    dlc_environment,
    find_python,
    run_dlc,
    validate_analysis,
    written_pose_files,
)
from tracking.pose.io import read_dlc
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, write_synth_pose

NEW_SCORER = "DLC_Resnet50_tinyDec1shuffle1_snapshot_best-40"
OLD_SCORER = "DLC_resnet50_fstJan1shuffle1_500000"


@pytest.fixture(scope="module")
def no_dlc_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real interpreter without DeepLabCut."""
    return python_without_deeplabcut(tmp_path_factory.mktemp("venv") / "no-dlc")


@pytest.fixture
def project(tmp_path: Path) -> DlcAnalysis:
    """A project file and two video files (contents irrelevant before DeepLabCut reads them)."""
    config = tmp_path / "project" / "config.yaml"
    config.parent.mkdir()
    config.write_text("Task: tiny\n")
    videos = []
    for name in ("M1.mp4", "M 2.mp4"):
        (tmp_path / name).write_bytes(b"\0")
        videos.append(tmp_path / name)
    return DlcAnalysis(config, tuple(videos))


def test_command_runs_the_script_in_the_chosen_python_with_a_json_request(
    project: DlcAnalysis, tmp_path: Path
) -> None:
    result = tmp_path / "result.json"
    command = dlc_command("/opt/dlc/bin/python", project, result)
    assert command[:3] == ["/opt/dlc/bin/python", "-c", DLC_SCRIPT]
    request = json.loads(command[3])
    assert request["config"] == str(project.config.resolve())
    assert request["videos"] == [str(v.resolve()) for v in project.videos]  # a space needs no quoting
    assert request["options"] == {"shuffle": 1, "trainingsetindex": 0, "save_as_csv": False}
    assert request["result"] == str(result)
    asked = DlcAnalysis(project.config, project.videos, shuffle=3, destfolder=tmp_path, device="cpu")
    assert json.loads(dlc_command("python", asked, result)[3])["options"] == {
        "shuffle": 3,
        "trainingsetindex": 0,
        "save_as_csv": False,
        "destfolder": str(tmp_path),
        "device": "cpu",
    }


def test_the_child_never_downloads_from_the_hub() -> None:
    environment = dlc_environment({"PATH": "/usr/bin", "HF_HUB_OFFLINE": "0"})
    assert environment == {"PATH": "/usr/bin", "HF_HUB_OFFLINE": "1"}


def test_bad_inputs_are_all_named_before_anything_runs(tmp_path: Path) -> None:
    analysis = DlcAnalysis(tmp_path / "nope" / "config.yaml", (tmp_path / "a.mp4",), shuffle=-1)
    with pytest.raises(ValueError) as error:
        validate_analysis(analysis)
    message = str(error.value)
    assert f"no DeepLabCut project file {tmp_path / 'nope' / 'config.yaml'}" in message
    assert f"no such video {tmp_path / 'a.mp4'}" in message
    assert "shuffle and trainingsetindex must be >= 0" in message


def test_a_python_without_deeplabcut_gets_the_install_hint(
    project: DlcAnalysis, no_dlc_python: Path, tmp_path: Path
) -> None:
    with pytest.raises(DlcUnavailableError) as error:
        run_dlc(project, no_dlc_python, log=tmp_path / "out" / "deeplabcut.log")
    message = str(error.value)
    assert message.startswith(f"deeplabcut is not importable by {no_dlc_python} (ModuleNotFoundError: ")
    assert message.endswith(DLC_INSTALL_HINT)
    assert "pip install 'behavlab[dlc]'" in message and "--dlc-python" not in message
    assert error.value.problem == message.removesuffix(f"; {DLC_INSTALL_HINT}")
    assert "\n" not in message


def test_a_missing_interpreter_is_named(project: DlcAnalysis, tmp_path: Path) -> None:
    with pytest.raises(DlcUnavailableError, match=f"no Python interpreter at {tmp_path / 'bin' / 'python'}"):
        run_dlc(project, tmp_path / "bin" / "python")


def test_python_may_be_a_command_on_path(no_dlc_python: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(no_dlc_python.parent))
    assert find_python("python") == no_dlc_python
    assert find_python(None) == Path(sys.executable)
    with pytest.raises(DlcUnavailableError, match="no Python interpreter at python99"):
        find_python("python99")


def test_the_script_reports_in_its_result_file_not_its_output(no_dlc_python: Path, tmp_path: Path) -> None:
    """What DeepLabCut prints cannot be mistaken for the result: the script writes a JSON file."""
    result = tmp_path / "result.json"
    analysis = DlcAnalysis(tmp_path / "config.yaml", (tmp_path / "v.mp4",))
    completed = subprocess.run(dlc_command(no_dlc_python, analysis, result), capture_output=True, check=False)
    assert completed.returncode == 1 and completed.stdout == b""
    document = json.loads(result.read_text())
    assert document["status"] == "no-deeplabcut"
    assert document["error"].startswith("ModuleNotFoundError: No module named 'deeplabcut'")


def _pose_file(folder: Path, stem: str, scorer: str, suffix: str = ".h5") -> Path:
    synth = synth_pose_tracks(config=PoseSynthConfig(duration_s=2.0), seed=len(scorer))
    path = write_synth_pose(synth, folder, stem, suffix=suffix)
    return path.rename(folder / f"{stem}{scorer}{suffix}")


def test_each_video_gets_the_file_of_the_scorer_just_run(tmp_path: Path) -> None:
    videos = [tmp_path / "M1.mp4", tmp_path / "M2.mp4", tmp_path / "M3.mp4"]
    new = _pose_file(tmp_path, "M1", NEW_SCORER)
    _pose_file(tmp_path, "M1", OLD_SCORER)  # an earlier model's output beside it
    _pose_file(tmp_path, "M1", NEW_SCORER, ".csv")  # the same table: .h5 preferred
    _pose_file(tmp_path, "M2", OLD_SCORER)  # only an earlier model's output
    found, missing = written_pose_files(videos, NEW_SCORER)
    assert found == {videos[0]: new}
    assert read_dlc(new).scorer == "DLC_Resnet50_synthfstNov25shuffle1_snapshot_best-100"
    assert set(missing) == {videos[1], videos[2]}
    expected = f"no DeepLabCut file named M2{NEW_SCORER}.h5 or .csv in {tmp_path}"
    assert missing[videos[1]] == f"DeepLabCut wrote no pose file for it ({expected})"


def test_outputs_are_found_in_the_destination_folder(tmp_path: Path) -> None:
    dest = tmp_path / "poses"
    dest.mkdir()
    pose = _pose_file(dest, "M1", NEW_SCORER)
    found, missing = written_pose_files([tmp_path / "videos" / "M1.mp4"], NEW_SCORER, dest)
    assert found == {tmp_path / "videos" / "M1.mp4": pose} and not missing


def test_running_dlc_never_imports_it_here() -> None:
    code = "import sys, tracking.pose.dlc_run, tracking.pose; print('deeplabcut' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"
