"""Running DeepLabCut on a lab's trained project, then scoring its pose files with the pose method.

A thin layer over :mod:`tracking.pose.dlc_run` (DeepLabCut in the interpreter that has it, never imported
here) and the batch runner (:func:`behavlab.services.video_scoring.score_videos`, the pose method): it
expands folders, keeps DeepLabCut's output in ``<out>/deeplabcut.log``, and turns the library's errors into
:class:`~behavlab.errors.BehavlabError` messages. Each pose file DeepLabCut wrote is scored as it is (not
re-paired by name), so outputs of another model beside the video cannot be taken for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from behavlab.errors import BehavlabError, InvalidInputError, NotFoundError
from behavlab.services.video_scoring import score_videos

if TYPE_CHECKING:
    from tracking.batch.run import BatchProgress, BatchReport
    from tracking.pose.dlc_run import DlcResult

#: Where DeepLabCut's own output goes, in the output folder.
DLC_LOG_NAME = "deeplabcut.log"
#: What to do when the chosen Python cannot run DeepLabCut, in the command line's terms.
DLC_PYTHON_HINT = (
    "install with pip install 'behavlab[dlc]' or pass --dlc-python PATH, the python of an environment "
    "that has DeepLabCut"
)


class DeepLabCutError(BehavlabError):
    """DeepLabCut cannot be run from the chosen Python, or it failed on the project or the videos."""


@dataclass(frozen=True)
class PoseRun:
    """A DeepLabCut run and, when asked for, the scoring of the pose files it wrote."""

    dlc: DlcResult
    scoring: BatchReport | None
    out_dir: Path


def run_pose(
    config: str | Path,
    videos: Sequence[str | Path],
    out_dir: str | Path,
    *,
    dlc_python: str | Path | None = None,
    shuffle: int = 1,
    trainingsetindex: int = 0,
    device: str | None = None,
    score: bool = True,
    preset: str = "fst",
    overrides: Mapping[str, Any] | None = None,
    rois_file: str | Path | None = None,
    jobs: int | None = None,
    per_frame: bool = False,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> PoseRun:
    """Analyse the videos (files or folders) with the project's network, then score the pose files.

    DeepLabCut writes each ``<video>DLC_<scorer>.h5`` next to its video and runs in ``dlc_python`` (default:
    this interpreter). Videos DeepLabCut wrote nothing for are listed in ``dlc.missing``; failed scorings
    are in the batch report; neither stops the others.
    """
    missing = [str(p) for p in [config, *videos] if not Path(p).exists()]
    if missing:
        raise NotFoundError(f"no such file or folder: {', '.join(missing)}")
    out = Path(out_dir)
    result = _run_deeplabcut(Path(config), videos, out, dlc_python, shuffle, trainingsetindex, device)
    report = None
    if score and result.pose_files:
        report = score_videos(
            [],
            out,
            method="pose",
            pose_files=list(result.pose_files.values()),
            rois_file=rois_file,
            preset=preset,
            overrides=overrides,
            jobs=jobs,
            per_frame=per_frame,
            on_progress=on_progress,
        )
    return PoseRun(result, report, out)


def _run_deeplabcut(
    config: Path,
    videos: Sequence[str | Path],
    out: Path,
    dlc_python: str | Path | None,
    shuffle: int,
    trainingsetindex: int,
    device: str | None,
) -> DlcResult:
    """Run DeepLabCut on the videos (files or folders), its output logged in ``out``; refusals translated."""
    from tracking.batch.jobs import find_videos
    from tracking.pose.dlc_run import DlcAnalysis, DlcRunError, DlcUnavailableError, run_dlc

    try:
        analysis = DlcAnalysis(
            config=config,
            videos=tuple(find_videos(videos)),
            shuffle=shuffle,
            trainingsetindex=trainingsetindex,
            device=device,
        )
        out.mkdir(parents=True, exist_ok=True)
        return run_dlc(analysis, dlc_python, log=out / DLC_LOG_NAME)
    except DlcUnavailableError as error:
        raise DeepLabCutError(f"{error.problem}; {DLC_PYTHON_HINT}") from error
    except DlcRunError as error:
        raise DeepLabCutError(str(error)) from error
    except ValueError as error:
        raise InvalidInputError(str(error)) from error
