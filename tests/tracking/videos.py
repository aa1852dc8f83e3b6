"""Small real videos for the tracking tests, written with OpenCV or PyAV, and the ezTrack practice clip."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from tests.shared_data import SHARED_DATA

EZTRACK_CLIP = SHARED_DATA / "eztrack_calibration" / "Freezing_calibration.wmv"


def moving_square_frames(n: int, size: tuple[int, int] = (160, 120), step: int = 3) -> list[np.ndarray]:
    """Grey frames: a horizontal gradient with a dark square moving ``step`` pixels per frame."""
    width, height = size
    base = np.tile(np.linspace(60, 200, width, dtype=np.float32), (height, 1)).astype(np.uint8)
    frames = []
    for i in range(n):
        frame = base.copy()
        x = 10 + (i * step) % (width - 40)
        frame[40:70, x : x + 30] = 30
        frames.append(frame)
    return frames


def write_opencv(path: Path, fourcc: str, frames: Sequence[np.ndarray], fps: float = 30.0) -> Path:
    """Write grey frames with ``cv2.VideoWriter`` (as BGR) and return the path."""
    height, width = frames[0].shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    assert writer.isOpened(), f"OpenCV cannot write {fourcc} to {path.suffix}"
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    return path


def write_pyav(
    path: Path,
    codec: str,
    frames: Sequence[np.ndarray],
    fps: int = 30,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    pix_fmt: str = "yuv420p",
    options: dict[str, str] | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Write grey frames with PyAV; ``pts`` (in ``time_base`` units, default 1/fps) can be made uneven;
    ``metadata`` tags the container (e.g. ``creation_time``)."""
    height, width = frames[0].shape
    with av.open(str(path), mode="w") as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream(codec, rate=fps, options=options or {})
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if time_base is not None:
            stream.codec_context.time_base = time_base
        for i, grey in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(grey, format="gray")
            frame.pts = i if pts is None else pts[i]
            if time_base is not None:
                frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path
