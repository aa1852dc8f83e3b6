"""The two readers behind :func:`tracking.video.reader.open_video`: PyAV's luma plane and OpenCV's capture.

PyAV (FFmpeg) is the default: it takes the decoded frame's luma plane as it is, and expands limited-range
luma (16-235) to full-range grey (0-255) with one look-up table, as FFmpeg's swscale does when OpenCV
converts to BGR. OpenCV is the fallback for a file PyAV cannot open.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import av
import av.error
import cv2
import numpy as np

from tracking.video.info import VideoOpenError
from tracking.video.reader import FPS_TOLERANCE, LIMITED_RANGE_STEP, VideoReader

_MAX_CONSECUTIVE_FAILURES = 64

# Luma plane first, 8 bits per sample: the Y plane is the grey image as it is.
_LUMA_FIRST_FORMATS = frozenset(
    {
        "yuv420p",
        "yuvj420p",
        "yuv422p",
        "yuvj422p",
        "yuv444p",
        "yuvj444p",
        "yuv411p",
        "yuvj411p",
        "yuv440p",
        "yuvj440p",
        "yuv410p",
        "nv12",
        "nv21",
        "nv16",
        "gray",
        "yuva420p",
    }
)
_FULL_RANGE_FORMATS = frozenset({"yuvj420p", "yuvj422p", "yuvj444p", "yuvj411p", "yuvj440p", "gray"})
_JPEG_RANGE = 2


def _limited_to_full_range_lut() -> np.ndarray:
    """Look-up table expanding limited-range luma (16-235) to full-range grey (0-255), as swscale does."""
    levels = (np.arange(256, dtype=np.float64) - 16.0) * LIMITED_RANGE_STEP
    return np.clip(np.rint(levels), 0, 255).astype(np.uint8)


LIMITED_TO_FULL_LUT = _limited_to_full_range_lut()


class PyAVReader(VideoReader):
    """FFmpeg decoding through PyAV, reading the luma plane only."""

    backend = "pyav"

    def __init__(self, path: str | Path, *, threads: int = 0) -> None:
        super().__init__(path)
        try:
            self._container = av.open(str(self.path), mode="r")
        except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise VideoOpenError(self.path, f"FFmpeg cannot open it ({exc})") from exc
        if not self._container.streams.video:
            self._container.close()
            raise VideoOpenError(self.path, "the file holds no video stream")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
        self._stream = stream
        self.width = stream.codec_context.width
        self.height = stream.codec_context.height
        try:
            self._check_frame_size()
        except VideoOpenError:
            self._container.close()
            raise
        self.codec = stream.codec_context.name
        self.limited_range = _stores_limited_range(stream.codec_context)
        self.container_format = self._container.format.name
        rate = stream.average_rate or stream.guessed_rate
        self.metadata_fps = float(rate) if rate else None
        self._time_base = float(stream.time_base) if stream.time_base else 0.0
        self._time_tick_s = self._time_base
        self.duration_s = self._header_duration()
        self.metadata_frame_count = self._announced_frames()
        base = float(stream.base_rate) if stream.base_rate else None
        self.header_variable_rate = bool(
            base and self.metadata_fps and abs(base - self.metadata_fps) > FPS_TOLERANCE * self.metadata_fps
        )

    def _header_duration(self) -> float | None:
        """Seconds the stream header (else the container) announces; None when neither does."""
        if self._stream.duration and self._time_base:
            return float(self._stream.duration * self._time_base)
        if self._container.duration:
            return float(self._container.duration / av.time_base)
        return None

    def _announced_frames(self) -> int | None:
        """Frame count from the stream header, else estimated from its duration and frame rate."""
        if self._stream.frames > 0:
            return int(self._stream.frames)
        if self.duration_s is None or not self.metadata_fps:
            return None
        self._frame_count_is_estimate = True
        return round(self.duration_s * self.metadata_fps)

    def close(self) -> None:
        """Release the file and the decoder."""
        self._container.close()

    def _decode(self, rows: slice, cols: slice, raw_luma: bool) -> Iterator[tuple[float, np.ndarray]]:
        """Decode packet by packet, skipping (and counting) the packets the decoder rejects."""
        expand = self.limited_range and not raw_luma
        out: np.ndarray | None = None
        index = 0
        period = 1.0 / self.metadata_fps if self.metadata_fps else 0.0
        time_base = self._time_base
        for packet in self._container.demux(self._stream):
            try:
                decoded = packet.decode()
            except av.error.FFmpegError:
                self._log.undecodable += 1
                continue
            for frame in decoded:
                grey = _luma_plane(frame)[rows, cols]
                if expand:
                    if out is None:
                        out = np.empty(grey.shape, dtype=np.uint8)
                    grey = cv2.LUT(grey, LIMITED_TO_FULL_LUT, dst=out)
                pts = frame.pts
                yield (pts * time_base if pts is not None else index * period), grey
                index += 1


def _stores_limited_range(context: av.video.codeccontext.VideoCodecContext) -> bool:
    """Whether the decoder outputs limited-range (16-235) luma, the default for video unless tagged full."""
    if context.format is None:
        return True
    name = context.format.name
    return (
        name in _LUMA_FIRST_FORMATS and name not in _FULL_RANGE_FORMATS and context.color_range != _JPEG_RANGE
    )


def _luma_plane(frame: av.VideoFrame) -> np.ndarray:
    """The frame's luma as a (height, width) uint8 view of its Y plane (no copy), else converted to grey."""
    if frame.format.name in _LUMA_FIRST_FORMATS:
        plane = frame.planes[0]
    else:
        plane = frame.reformat(format="gray", dst_color_range="JPEG").planes[0]
    rows: np.ndarray = np.frombuffer(memoryview(plane), dtype=np.uint8)
    return rows.reshape(plane.height, plane.line_size)[:, : plane.width]


class OpenCVReader(VideoReader):
    """``cv2.VideoCapture`` decoding, each BGR frame converted to grey."""

    backend = "opencv"

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            self._capture.release()
            raise VideoOpenError(self.path, "OpenCV cannot open it")
        self.width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        try:
            self._check_frame_size()
        except VideoOpenError:
            self._capture.release()
            raise
        fourcc = int(self._capture.get(cv2.CAP_PROP_FOURCC))
        self.codec = "".join(chr((fourcc >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ") or "unknown"
        self.container_format = self.path.suffix.lstrip(".").lower()
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.metadata_fps = float(fps) if fps and math.isfinite(fps) and fps > 0 else None
        count = self._capture.get(cv2.CAP_PROP_FRAME_COUNT)
        self.metadata_frame_count = int(count) if count and count > 0 else None
        if self.metadata_frame_count is not None and self.metadata_fps is not None:
            self.duration_s = self.metadata_frame_count / self.metadata_fps
        self._frame_count_is_estimate = True
        self._time_tick_s = 1e-3

    def close(self) -> None:
        """Release the file and the decoder."""
        self._capture.release()

    def _decode(self, rows: slice, cols: slice, raw_luma: bool) -> Iterator[tuple[float, np.ndarray]]:
        """Read frame by frame as full-range grey; a failed read before a good one is an undecodable frame."""
        capture = self._capture
        period = 1.0 / self.metadata_fps if self.metadata_fps else 0.0
        out: np.ndarray | None = None
        failures = 0
        index = 0
        while failures < _MAX_CONSECUTIVE_FAILURES:
            ok, bgr = capture.read()
            if not ok:
                failures += 1
                if self.metadata_frame_count is None or index + failures >= self.metadata_frame_count:
                    break
                continue
            self._log.undecodable += failures
            failures = 0
            region = bgr[rows, cols]
            if out is None:
                out = np.empty(region.shape[:2], dtype=np.uint8)
            grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY, dst=out)
            position_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
            timestamp = position_ms / 1e3 if position_ms > 0 else index * period
            index += 1
            yield timestamp, grey
