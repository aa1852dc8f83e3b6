"""Running DeepLabCut's ``analyze_videos`` on a trained project, in the Python environment that has it.

DeepLabCut 3 brings PyTorch, torchvision (a CUDA build of several GB), pandas below 3 and a 10-s import, so
labs keep it in an environment of its own. This module never imports it: it runs a short script in the
chosen interpreter (``python -c SCRIPT REQUEST``, no shell), which imports DeepLabCut there, calls
``deeplabcut.analyze_videos`` and writes a small JSON result (status, scorer, DeepLabCut's version) to a file
named in the request. Everything DeepLabCut prints goes to a log file, so the result never depends on
parsing its output. The child runs with ``HF_HUB_OFFLINE=1``: analysing with a trained project needs no
download, and none is attempted.

DeepLabCut writes ``<video stem><scorer>.h5`` (``DLC_<net>_<project><date>shuffle<n>_snapshot_<...>`` in 3.x,
``..._<iterations>`` in 2.x) next to each video, or in ``destfolder``; :func:`written_pose_files` finds each
video's file of the scorer just used, so older outputs of another model beside it are not mistaken for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracking.errors import TrackingError
from tracking.pose.files import find_pose_file
from tracking.pose.tracks import PoseFileError

#: How to get DeepLabCut into the environment behavlab runs in, or which Python to run it in instead.
DLC_INSTALL_HINT = "install it with pip install 'behavlab[dlc]', or use the python of an environment with it"
#: Lines of DeepLabCut's output quoted in an error (the whole output is in the log file).
LOG_TAIL_LINES = 5

#: Runs in the DeepLabCut interpreter: ``argv[1]`` is the JSON request (see :func:`dlc_request`).
DLC_SCRIPT = """\
import json, sys
request = json.loads(sys.argv[1])
def report(document):
    with open(request["result"], "w", encoding="utf-8") as handle:
        json.dump(document, handle)
try:
    import deeplabcut
except Exception as error:
    report({"status": "no-deeplabcut", "error": f"{type(error).__name__}: {error}"})
    sys.exit(1)
scorer = deeplabcut.analyze_videos(request["config"], request["videos"], **request["options"])
report({"status": "ok", "scorer": str(scorer), "deeplabcut_version": deeplabcut.__version__})
"""


class DlcUnavailableError(TrackingError, RuntimeError):
    """The chosen Python cannot run DeepLabCut (missing interpreter, or ``import deeplabcut`` fails).

    ``problem`` says what failed; the message adds :data:`DLC_INSTALL_HINT`.
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}; {DLC_INSTALL_HINT}")


class DlcRunError(TrackingError, RuntimeError):
    """DeepLabCut ran but failed; the message quotes the end of its output and names the log file."""


@dataclass(frozen=True)
class DlcAnalysis:
    """What to analyse: the project's ``config.yaml``, the videos, and DeepLabCut's options for it.

    ``destfolder`` None writes each pose file next to its video (DeepLabCut's default, which the pose method
    pairs by name: :func:`tracking.pose.files.find_pose_file`); ``device`` (PyTorch engine only) e.g.
    ``"cpu"``.
    """

    config: Path
    videos: tuple[Path, ...]
    shuffle: int = 1
    trainingsetindex: int = 0
    destfolder: Path | None = None
    device: str | None = None

    def options(self) -> dict[str, Any]:
        """The keyword arguments of ``deeplabcut.analyze_videos`` (those of both DeepLabCut 2.x and 3.x)."""
        options: dict[str, Any] = {
            "shuffle": self.shuffle,
            "trainingsetindex": self.trainingsetindex,
            "save_as_csv": False,
        }
        if self.destfolder is not None:
            options["destfolder"] = str(self.destfolder)
        if self.device is not None:
            options["device"] = self.device
        return options


@dataclass(frozen=True)
class DlcResult:
    """A finished run: the scorer DeepLabCut named, its version, each video's pose file, and the log.

    ``missing`` maps a video without a pose file of that scorer to the reason.
    """

    scorer: str
    deeplabcut_version: str
    pose_files: Mapping[Path, Path]
    missing: Mapping[Path, str] = field(default_factory=dict)
    log: Path | None = None


def validate_analysis(analysis: DlcAnalysis) -> None:
    """Raise ValueError naming every input DeepLabCut would fail on later: project file, videos, shuffle."""
    problems = []
    if not analysis.config.is_file():
        problems.append(f"no DeepLabCut project file {analysis.config} (expected PROJECT/config.yaml)")
    problems += [f"no such video {video}" for video in analysis.videos if not video.is_file()]
    if not analysis.videos:
        problems.append("no video to analyse")
    if analysis.shuffle < 0 or analysis.trainingsetindex < 0:
        problems.append("shuffle and trainingsetindex must be >= 0")
    if analysis.destfolder is not None and not analysis.destfolder.is_dir():
        problems.append(f"no such folder {analysis.destfolder} (destfolder)")
    if problems:
        raise ValueError("; ".join(problems))


def dlc_request(analysis: DlcAnalysis, result: Path) -> dict[str, Any]:
    """The JSON request the script reads: absolute paths, the options, and where to write its result."""
    return {
        "config": str(analysis.config.resolve()),
        "videos": [str(video.resolve()) for video in analysis.videos],
        "options": analysis.options(),
        "result": str(result),
    }


def dlc_command(python: str | Path, analysis: DlcAnalysis, result: Path) -> list[str]:
    """The argument vector that runs the analysis in ``python`` (no shell: paths need no quoting)."""
    return [str(python), "-c", DLC_SCRIPT, json.dumps(dlc_request(analysis, result))]


def dlc_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: ``base`` (default: this process's) with hub downloads switched off."""
    return {**(os.environ if base is None else base), "HF_HUB_OFFLINE": "1"}


def _tail(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last non-empty lines of a log, joined with `` | `` for a one-line message."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    kept = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no output"


def _read_result(path: Path) -> dict[str, Any] | None:
    """The script's result document, or None when it wrote none (it crashed before the end)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def written_pose_files(
    videos: Sequence[Path], scorer: str, destfolder: Path | None = None
) -> tuple[dict[Path, Path], dict[Path, str]]:
    """Each video's pose file of ``scorer`` (next to it, or in ``destfolder``), and why any is missing."""
    found: dict[Path, Path] = {}
    missing: dict[Path, str] = {}
    for video in videos:
        try:
            found[video] = find_pose_file(video, destfolder, scorer=scorer)
        except PoseFileError as error:
            missing[video] = f"DeepLabCut wrote no pose file for it ({error.problem})"
    return found, missing


def find_python(python: str | Path | None = None) -> Path:
    """The interpreter to run DeepLabCut in: a path, a command on ``PATH`` (``python3``), or this one."""
    if python is None:
        return Path(sys.executable)
    path = Path(python)
    if path.is_file() and os.access(path, os.X_OK):
        return path
    found = shutil.which(str(python)) if path.name == str(python) else None
    if found is None:
        raise DlcUnavailableError(f"no Python interpreter at {python}")
    return Path(found)


def run_dlc(analysis: DlcAnalysis, python: str | Path | None = None, *, log: Path | None = None) -> DlcResult:
    """Analyse the videos with DeepLabCut in ``python`` (default: this interpreter), output logged to ``log``.

    Raises ValueError for bad inputs, DlcUnavailableError when that Python lacks DeepLabCut, and DlcRunError
    when DeepLabCut fails. A video DeepLabCut skipped is reported in the result's ``missing``, not raised,
    so the other videos are kept.
    """
    validate_analysis(analysis)
    python = find_python(python)
    with tempfile.TemporaryDirectory(prefix="behavlab-dlc-") as scratch:
        result_path = Path(scratch) / "result.json"
        log_path = log if log is not None else Path(scratch) / "deeplabcut.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("w", encoding="utf-8") as output:
            try:
                completed = subprocess.run(
                    dlc_command(python, analysis, result_path),
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=dlc_environment(),
                    check=False,
                )
            except OSError as error:
                raise DlcUnavailableError(f"cannot run {python} ({error})") from error
        result = _read_result(result_path)
        if result is not None and result.get("status") == "no-deeplabcut":
            raise DlcUnavailableError(f"deeplabcut is not importable by {python} ({result['error']})")
        if completed.returncode != 0 or result is None or result.get("status") != "ok":
            where = f"; full output in {log}" if log is not None else ""
            raise DlcRunError(
                f"DeepLabCut failed analysing {len(analysis.videos)} video(s) with {analysis.config} "
                f"(exit status {completed.returncode}): {_tail(log_path)}{where}"
            )
    found, missing = written_pose_files(list(analysis.videos), result["scorer"], analysis.destfolder)
    return DlcResult(result["scorer"], result["deeplabcut_version"], found, missing, log)


__all__ = [
    "DLC_INSTALL_HINT",
    "DLC_SCRIPT",
    "DlcAnalysis",
    "DlcResult",
    "DlcRunError",
    "DlcUnavailableError",
    "dlc_command",
    "dlc_environment",
    "dlc_request",
    "find_python",
    "run_dlc",
    "validate_analysis",
    "written_pose_files",
]
