"""Which files are videos: the suffixes taken from a folder, and a folder's videos without the overlays.

A batch can write an annotated copy of each video next to it; those copies are never inputs.
"""

from __future__ import annotations

from pathlib import Path

#: File suffixes taken as videos from a folder (a file given by name is tried whatever its suffix).
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".avi", ".mov", ".wmv", ".mkv", ".mpg", ".mpeg"})
#: The name ending of the annotated video a batch writes when asked for overlays; never an input.
OVERLAY_SUFFIX = ".overlay.mp4"


def folder_videos(folder: str | Path) -> list[Path]:
    """A folder's videos in name order: visible files with a video suffix, overlays left out."""
    return sorted(
        path
        for path in Path(folder).iterdir()
        if path.is_file()
        and path.suffix.lower() in VIDEO_SUFFIXES
        and not path.name.startswith(".")
        and not path.name.endswith(OVERLAY_SUFFIX)
    )


def is_video_file(path: str | Path) -> bool:
    """True when ``path`` names an existing file with a video suffix (not a pose file's notional name)."""
    path = Path(path)
    return path.suffix.lower() in VIDEO_SUFFIXES and path.is_file()
