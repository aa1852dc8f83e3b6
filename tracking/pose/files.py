"""Which files are pose files: DeepLabCut's output names, and pairing videos with their pose files.

File names are ``<video stem><scorer><suffix>.<ext>``: the scorer is ``DLC_<network>_<project><date>
shuffle<n>_<iterations>`` in DeepLabCut 2.x (e.g. ``DLC_resnet50_fstJan1shuffle1_500000``) and
``DLC_<Network>_<project><date>shuffle<n>_snapshot_<epoch or best-N>`` in 3.x (e.g.
``DLC_Resnet50_tinyNov25shuffle1_snapshot_best-10``); multi-animal tracks add ``_el`` (ellipse tracker) or
``_bx`` (box tracker), and ``deeplabcut.filterpredictions`` adds ``_filtered``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tracking.pose.tracks import PoseFileError
from tracking.video.files import VIDEO_SUFFIXES

POSE_SUFFIXES = (".h5", ".csv")
_NAME = re.compile(
    r"^(?P<video>.+?)(?P<scorer>DLC_.+?shuffle\d+_(?:snapshot_[^_]+(?:_detector_[^_]+)?|\d+))"
    r"(?P<suffix>(?:_(?:el|bx|sk|filtered))*)$"
)
#: Preference among variants of one scorer's output for a video: filtered tracks first, raw last.
_SUFFIX_RANK = {"_el_filtered": 0, "_bx_filtered": 0, "_filtered": 0, "_el": 1, "_bx": 1, "": 2}


@dataclass(frozen=True)
class PoseFileName:
    """The parts of a DeepLabCut output name: video stem, scorer and suffix (``_el``, ``_filtered``...)."""

    video_stem: str
    scorer: str
    suffix: str


def parse_pose_name(path: str | Path) -> PoseFileName | None:
    """Split a DeepLabCut output file name into video stem, scorer and suffix; None if it is not one."""
    match = _NAME.match(Path(path).stem)
    if match is None:
        return None
    return PoseFileName(match["video"], match["scorer"], match["suffix"])


def find_pose_file(video: str | Path, folder: str | Path | None = None, *, scorer: str | None = None) -> Path:
    """The DeepLabCut file of ``video`` in ``folder`` (default: the video's folder), matched by name.

    ``scorer`` keeps only that scorer's outputs (e.g. the one ``deeplabcut.analyze_videos`` just returned).

    Notes
    -----
    Candidates are ``<video stem>DLC_...`` ``.h5`` or ``.csv`` files. Of one scorer's outputs the filtered
    tracks (``deeplabcut.filterpredictions``) are preferred, then the multi-animal tracks (``_el``, ``_bx``),
    then the raw predictions, and ``.h5`` over ``.csv`` (the same table). Outputs of two scorers (two models
    or snapshots) are ambiguous: PoseFileError lists them, and the pose file must be given explicitly.
    """
    video = Path(video)
    folder = Path(folder) if folder is not None else video.parent
    candidates = _pose_files_of(video.stem, folder, scorer)
    if not candidates:
        named = scorer if scorer is not None else "DLC_<scorer>"
        raise PoseFileError(video, f"no DeepLabCut file named {video.stem}{named}.h5 or .csv in {folder}")
    scorers = sorted({name.scorer for name, _ in candidates})
    if len(scorers) > 1:
        raise PoseFileError(
            video,
            f"pose files of {len(scorers)} scorers in {folder} ({', '.join(scorers)}); give the pose file",
        )
    return min(candidates, key=lambda c: (_SUFFIX_RANK[c[0].suffix], c[1].suffix.lower() != ".h5"))[1]


def has_pose_file(video: str | Path) -> bool:
    """Whether a DeepLabCut file of ``video`` is in its folder (:func:`find_pose_file` may refuse them)."""
    video = Path(video)
    return bool(_pose_files_of(video.stem, video.parent, None))


def _pose_files_of(video_stem: str, folder: Path, scorer: str | None) -> list[tuple[PoseFileName, Path]]:
    """The pose files in ``folder`` made from the video ``video_stem`` (by ``scorer`` if given), by name."""
    found = []
    for path in sorted(folder.glob(f"{glob_escape(video_stem)}DLC_*")):
        name = parse_pose_name(path)
        if name is None or path.suffix.lower() not in POSE_SUFFIXES:
            continue
        if name.video_stem == video_stem and name.suffix in _SUFFIX_RANK and scorer in (None, name.scorer):
            found.append((name, path))
    return found


def find_video_for_pose(pose: str | Path, folder: str | Path | None = None) -> Path | None:
    """The video a DeepLabCut file was made from, by name in ``folder`` (default: its own), or None."""
    pose = Path(pose)
    name = parse_pose_name(pose)
    if name is None:
        return None
    folder = Path(folder) if folder is not None else pose.parent
    videos = [
        path
        for path in sorted(folder.glob(f"{glob_escape(name.video_stem)}.*"))
        if path.suffix.lower() in VIDEO_SUFFIXES and path.stem == name.video_stem
    ]
    return videos[0] if videos else None


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped, for use as a literal in ``Path.glob``."""
    return re.sub(r"([*?\[])", r"[\1]", text)
