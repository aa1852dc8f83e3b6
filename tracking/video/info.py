"""What a video is and why it cannot be read: the decode report and the open error."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from tracking.errors import TrackingError

ACCEPTED_FORMATS = (
    "mp4 (H.264, MPEG-4 Part 2/mp4v), avi (MJPG, XVID), mov, wmv, mkv: any container and codec FFmpeg decodes"
)


class VideoOpenError(TrackingError):
    """A video file cannot be opened or decoded at all."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot read video {self.path}: {reason}. Accepted formats: {ACCEPTED_FORMATS}")


@dataclass(frozen=True)
class VideoInfo:
    """What a video claims in its metadata and what actually decoded from it.

    Sizes are in pixels, rates in frames per second and times in seconds; ``content_hash`` is
    :func:`tracking.video.hashing.content_hash` of the file.
    """

    path: str
    content_hash: str
    size_bytes: int
    backend: str
    container: str
    codec: str
    width: int
    height: int
    metadata_fps: float | None
    metadata_frame_count: int | None
    decoded_frames: int
    undecodable_frames: int
    start_time_s: float
    fps: float
    variable_frame_rate: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary of every field, in declaration order."""
        return {**asdict(self), "warnings": list(self.warnings)}
