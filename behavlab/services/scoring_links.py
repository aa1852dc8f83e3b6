"""The links a study scoring hands the batch: each session's video (and pose file) under its code.

Each link is named by the codes of the sessions its video films and the start of the video's recorded
SHA-256 (``<codes>-<8 hex digits>.<ext>``), and its ROIs are relabelled by code, so every file the batch
writes is named by code, whatever the videos were called. The digits keep one animal's sessions apart (a
pre-test and a test, each its own video, scored into one folder) and name a session's video the same in
every scoring, whatever else is scored with it; they say nothing of the animal's arm.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from behavlab.services.fst_starts import SessionStart

if TYPE_CHECKING:
    from tracking.rules.starts import AnimalStart
    from tracking.video.rois import ROI


@dataclass(frozen=True)
class SessionToScore:
    """One FST session waiting for a scoring: its code, video, recorded hash, ROI and stored test start."""

    session_id: int
    code: str
    video: Path
    video_sha256: str
    roi: Mapping[str, Any] | None
    start: SessionStart | None = None


#: Hex digits of a video's recorded SHA-256 in its link's name.
LINK_HASH_DIGITS = 8


@dataclass
class ScoringLinks:
    """The links the batch scores, with the sessions each one's video films: session ID by code.

    Each link is named by those codes (module docstring), and its ROIs are relabelled by code, so every file
    the batch writes is named by code; ``failures`` are the sessions that cannot be scored, by code, with the
    reason. ``starts`` are the sessions' stored test starts by link name and code (the others are detected).
    """

    sessions: dict[Path, dict[str, int]] = field(default_factory=dict)
    rois: dict[str, tuple[ROI, ...]] = field(default_factory=dict)
    starts: dict[str, dict[str, AnimalStart]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)


#: A link's file name as `link_name` writes it: the codes joined by "-" (group 1), the tag (group 2), a
#: suffix.
LINK_NAME = re.compile(rf"^(.+)-([0-9a-f]{{{LINK_HASH_DIGITS}}})\.[^.]+$", re.IGNORECASE)


def link_name(codes: Sequence[str], video_sha256: str, suffix: str) -> str:
    """The file name of a video's link: ``<codes>-<tag><suffix>`` (module docstring)."""
    return f"{'-'.join(codes)}-{link_tag(video_sha256)}{suffix.lower()}"


def link_tag(video_sha256: str) -> str:
    """The tag of a video's links: the first :data:`LINK_HASH_DIGITS` hex digits of its recorded hash.

    The hash is recorded as ``sha256:<hex>``; the tag leaves out the ``sha256:`` (no colon in a file name).
    """
    return video_sha256.rpartition(":")[2][:LINK_HASH_DIGITS].lower()


def link_videos(pending: Sequence[SessionToScore], folder: Path, *, pose_files: bool) -> ScoringLinks:
    """Link each pending session's video (and pose file) into ``folder`` under its sessions' codes."""
    folder.mkdir(parents=True, exist_ok=True)
    links = ScoringLinks()
    by_video: dict[Path, list[SessionToScore]] = defaultdict(list)
    digests: dict[Path, str] = {}
    for session in pending:
        problem = _changed_video(session, digests)
        if problem:
            links.failures.append((session.code, problem))
        else:
            by_video[session.video].append(session)
    for video, sessions in by_video.items():
        codes = tuple(sorted(s.code for s in sessions))
        name = link_name(codes, sessions[0].video_sha256, video.suffix)
        problem = _unlinkable(video, codes, folder / name, links)
        if problem is None and pose_files:
            problem = _link_pose_file(video, folder, Path(name).stem)
        if problem:
            links.failures.extend((code, problem) for code in codes)
            continue
        link = folder / name
        link.unlink(missing_ok=True)
        link.symlink_to(video.resolve())
        links.sessions[link] = {session.code: session.session_id for session in sessions}
        links.rois[name] = tuple(_roi_for(session, video) for session in sessions)
        starts = {session.code: _animal_start(session.start) for session in sessions if session.start}
        if starts:
            links.starts[name] = starts
    return links


def _unlinkable(video: Path, codes: Sequence[str], link: Path, links: ScoringLinks) -> str | None:
    """Why a video cannot be scored for these codes: one animal twice in it, or a copy of one linked."""
    if len(set(codes)) < len(codes):
        return f"video {video.name} is given for two FST sessions of one animal; accepted: one each"
    if link in links.sessions:
        return f"video {video.name} is a copy of another video scored for {', '.join(codes)}; accepted: one"
    return None


def _changed_video(session: SessionToScore, digests: dict[Path, str]) -> str | None:
    """Why a session's video cannot be scored (missing, or not the file recorded), or None.

    Each video is hashed once into ``digests``, however many tanks (sessions) it films.
    """
    from tracking.video.hashing import content_hash

    if not session.video.is_file():
        return f"video {session.video} is missing"
    if session.video not in digests:
        digests[session.video] = content_hash(session.video, full=True)
    if digests[session.video] != session.video_sha256:
        return f"video {session.video.name} changed since the session was recorded (its SHA-256 differs)"
    return None


def _link_pose_file(video: Path, links: Path, stem: str) -> str | None:
    """Link the video's DeepLabCut file into ``links`` as ``<stem><scorer>...``; why it cannot be, or None."""
    from tracking.pose.files import find_pose_file, glob_escape, parse_pose_name
    from tracking.pose.tracks import PoseFileError

    for stale in links.glob(f"{glob_escape(stem)}DLC_*"):
        stale.unlink()
    try:
        pose = find_pose_file(video)
    except PoseFileError as error:
        return error.problem
    name = parse_pose_name(pose)
    assert name is not None  # find_pose_file only returns DeepLabCut names
    (links / f"{stem}{name.scorer}{name.suffix}{pose.suffix.lower()}").symlink_to(pose.resolve())
    return None


def _roi_for(session: SessionToScore, video: Path) -> ROI:
    """The session's ROI relabelled by its code; the whole frame when the session has none."""
    from tracking.video.reader import open_video
    from tracking.video.rois import RectROI, roi_from_dict

    if session.roi is not None:
        return replace(roi_from_dict(session.roi), label=session.code)
    with open_video(video) as reader:
        return RectROI(session.code, 0, 0, reader.width, reader.height)


def _animal_start(start: SessionStart) -> AnimalStart:
    """A session's stored start as the batch takes it, with its source (entered or bench)."""
    from tracking.rules.starts import AnimalStart, StartSource

    return AnimalStart(start.start_s, StartSource(start.source))
