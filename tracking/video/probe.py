"""What a video's header announces, read without decoding it: length, frame count and rate, codec, size.

:func:`probe_video` opens the file with :func:`tracking.video.reader.open_video` and reads nothing but the
header; :func:`header_of` takes the same from a reader already open. The decode report
(:class:`tracking.video.info.VideoInfo`) later says what actually decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracking.video.reader import Backend, VideoReader


@dataclass(frozen=True)
class VideoHeader:
    """A video's header: sizes in pixels, ``fps`` in frames per second and ``duration_s`` in seconds.

    ``duration_s`` is the stream's (else the container's) duration, or the frame count over the rate when
    only those are known; None when the header announces no length. ``variable_frame_rate`` is True when the
    header's base and average frame rates disagree. ``created_at`` is when the camera says it began recording
    (the container's ``creation_time``, aware, UTC when the tag names no zone), None when the file has none.
    """

    path: Path
    container: str
    codec: str
    width: int
    height: int
    fps: float | None
    frame_count: int | None
    duration_s: float | None
    variable_frame_rate: bool
    created_at: datetime | None = None

    @property
    def size(self) -> tuple[int, int]:
        """The frame size as (width, height) in pixels."""
        return self.width, self.height

    def describe(self) -> str:
        """The header in a few words, e.g. ``mpeg4 640x480, 30 fps, 3600 frames, 120.0 s``."""
        parts = [f"{self.codec} {self.width}x{self.height}"]
        if self.fps is not None:
            parts.append(f"{self.fps:g} fps" + (" (variable)" if self.variable_frame_rate else ""))
        if self.frame_count is not None:
            parts.append(f"{self.frame_count} frames")
        parts.append("length unknown" if self.duration_s is None else f"{self.duration_s:.1f} s")
        return ", ".join(parts)


def header_of(reader: VideoReader) -> VideoHeader:
    """The header of an open reader (nothing decoded)."""
    return VideoHeader(
        path=reader.path,
        container=reader.container_format,
        codec=reader.codec,
        width=reader.width,
        height=reader.height,
        fps=reader.metadata_fps,
        frame_count=reader.metadata_frame_count,
        duration_s=reader.duration_s,
        variable_frame_rate=reader.header_variable_rate,
        created_at=creation_time(reader.path),
    )


def creation_time(path: Path) -> datetime | None:
    """The container's ``creation_time`` tag as an aware time, or None when missing or unreadable."""
    import av
    import av.error

    try:
        with av.open(str(path), mode="r") as container:
            tag = container.metadata.get("creation_time")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError):
        return None
    try:
        stamp = datetime.fromisoformat(tag) if tag else None
    except ValueError:
        return None
    if stamp is None or stamp.tzinfo is not None:
        return stamp
    return stamp.replace(tzinfo=UTC)


def probe_video(path: str | Path, *, backend: Backend = "auto") -> VideoHeader:
    """Read a video's header without decoding a frame; VideoOpenError when the file cannot be opened."""
    from tracking.video.reader import open_video  # numpy and a decoder load when a video is opened

    with open_video(path, backend=backend, threads=1) as reader:
        return header_of(reader)


__all__ = ["VideoHeader", "creation_time", "header_of", "probe_video"]
