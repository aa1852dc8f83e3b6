"""tracking.video.probe: the camera's own creation time read from the container's header."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tests.tracking.videos import write_pyav
from tracking.video.probe import probe_video

FRAMES = [np.full((32, 32), 16 * i, np.uint8) for i in range(10)]


def test_creation_time_is_read_from_the_container(tmp_path: Path) -> None:
    video = write_pyav(
        tmp_path / "tagged.mp4", "mpeg4", FRAMES, fps=10, metadata={"creation_time": "2026-03-04T10:01:58Z"}
    )
    assert probe_video(video).created_at == datetime(2026, 3, 4, 10, 1, 58, tzinfo=UTC)


def test_a_video_without_creation_time_has_none(tmp_path: Path) -> None:
    video = write_pyav(tmp_path / "plain.mp4", "mpeg4", FRAMES, fps=10)
    assert probe_video(video).created_at is None
