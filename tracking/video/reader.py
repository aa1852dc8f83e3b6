"""Streamed reading of grey video frames, with the container's timestamps and a decode report.

One interface, :class:`VideoReader`, and two implementations:

- :class:`PyAVReader` decodes with FFmpeg's libraries through PyAV and takes only the luma (Y) plane, which is
  the grey image, without any colour conversion. Frame threading is on by default.
- :class:`OpenCVReader` uses ``cv2.VideoCapture`` and converts each BGR frame to grey; it is the fallback for
  a file PyAV cannot open.

Both yield the same grey frames: full-range grey levels 0-255, as ``cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)``
gives after OpenCV's own decode. Most video stores luma in the limited ("MPEG", 16-235) range, which OpenCV
expands when it converts to BGR; the PyAV reader expands it with one 256-entry look-up table, only inside the
requested crop.

Notes
-----
ezTrack (Pennington et al. 2019, Sci Rep 9:19979) and DBscorer read frames with ``cv2.VideoCapture`` and
convert them to grey; PyAV's luma plane skips the YUV -> BGR -> grey round trip, which is most of OpenCV's
per-frame cost. Timestamps are ``pts * time_base`` from the container, relative to the first decoded frame.
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

import av
import av.error
import cv2
import numpy as np

ACCEPTED_FORMATS = (
    "mp4 (H.264, MPEG-4 Part 2/mp4v), avi (MJPG, XVID), mov, wmv, mkv: any container and codec FFmpeg decodes"
)

Backend = Literal["auto", "pyav", "opencv"]
Crop = tuple[int, int, int, int]
"""A region of the frame as (x, y, width, height) in pixels."""

_HASH_CHUNK = 1 << 16
_HASH_SAMPLES = 16
_FPS_TOLERANCE = 0.01
_VFR_TOLERANCE = 0.10
_MAX_CONSECUTIVE_FAILURES = 64
#: Largest frame read, in pixels (4096 x 4096; a 4K camera is 3840 x 2160). A header claiming more is refused
#: before anything is decoded: one such frame and its blurred copies would take gigabytes of memory.
MAX_FRAME_PIXELS = 4096 * 4096

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
    levels = (np.arange(256, dtype=np.float64) - 16.0) * (255.0 / 219.0)
    return np.clip(np.rint(levels), 0, 255).astype(np.uint8)


LIMITED_TO_FULL_LUT = _limited_to_full_range_lut()


class VideoOpenError(Exception):
    """A video file cannot be opened or decoded at all."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot read video {self.path}: {reason}. Accepted formats: {ACCEPTED_FORMATS}")


@dataclass(frozen=True)
class VideoInfo:
    """What a video claims in its metadata and what actually decoded from it."""

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
        """Plain JSON-ready dictionary of every field."""
        return {
            "path": self.path,
            "content_hash": self.content_hash,
            "size_bytes": self.size_bytes,
            "backend": self.backend,
            "container": self.container,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "metadata_fps": self.metadata_fps,
            "metadata_frame_count": self.metadata_frame_count,
            "decoded_frames": self.decoded_frames,
            "undecodable_frames": self.undecodable_frames,
            "start_time_s": self.start_time_s,
            "fps": self.fps,
            "variable_frame_rate": self.variable_frame_rate,
            "warnings": list(self.warnings),
        }


def content_hash(path: str | Path, *, full: bool = False) -> str:
    """SHA-256 of the file: of all of it (``full``) or of its size and 16 evenly spaced 64-KiB chunks."""
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        if full or size <= _HASH_CHUNK * _HASH_SAMPLES:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
            return f"sha256:{digest.hexdigest()}"
        digest.update(size.to_bytes(8, "little"))
        for offset in np.linspace(0, size - _HASH_CHUNK, _HASH_SAMPLES).astype(np.int64):
            fh.seek(int(offset))
            digest.update(fh.read(_HASH_CHUNK))
    return f"sha256-sampled:{digest.hexdigest()}"


def _check_crop(crop: Crop | None, width: int, height: int) -> tuple[slice, slice]:
    """Row and column slices of a crop, after checking it lies inside the frame."""
    if crop is None:
        return slice(0, height), slice(0, width)
    x, y, w, h = crop
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValueError(f"crop {crop} (x, y, width, height) is empty or outside the {width}x{height} frame")
    return slice(y, y + h), slice(x, x + w)


class _DecodeLog:
    """Timestamps and failures gathered while a reader decodes."""

    def __init__(self, expected_frames: int | None) -> None:
        capacity = max(expected_frames or 0, 1024) + 16
        self._timestamps = np.empty(capacity, dtype=np.float64)
        self.count = 0
        self.undecodable = 0

    def add(self, timestamp_s: float) -> None:
        """Record one decoded frame's timestamp."""
        if self.count == self._timestamps.shape[0]:
            self._timestamps = np.concatenate([self._timestamps, np.empty_like(self._timestamps)])
        self._timestamps[self.count] = timestamp_s
        self.count += 1

    @property
    def luma_scale(self) -> float:
        """Full-range grey levels per step of the frames yielded with ``raw_luma=True`` (255/219 or 1)."""
        return 255.0 / 219.0 if self.limited_range else 1.0

    def timestamps(self) -> np.ndarray:
        """Timestamps recorded so far, in seconds as the container gives them."""
        return self._timestamps[: self.count].copy()


class VideoReader(ABC):
    """Streams grey frames of one video; use as a context manager and iterate :meth:`frames` once."""

    backend: str = ""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.width = 0
        self.height = 0
        self.codec = ""
        self.container_format = ""
        self.metadata_fps: float | None = None
        self.metadata_frame_count: int | None = None
        self._frame_count_is_estimate = False
        self._time_tick_s = 0.0
        self.limited_range = False
        self._log = _DecodeLog(None)

    def _check_frame_size(self) -> None:
        """Refuse a header without a frame size, or one claiming frames too large to read safely."""
        if self.width <= 0 or self.height <= 0:
            raise VideoOpenError(self.path, "the video stream has no frame size (damaged header)")
        if self.width * self.height > MAX_FRAME_PIXELS:
            raise VideoOpenError(
                self.path,
                f"its header claims {self.width}x{self.height} frames, more than the "
                f"{MAX_FRAME_PIXELS / 1e6:.1f} megapixels read (e.g. 4096x4096); "
                "re-encode it at the camera's resolution",
            )

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Release the file and the decoder."""

    @abstractmethod
    def _decode(self, rows: slice, cols: slice, raw_luma: bool) -> Iterator[tuple[float, np.ndarray]]:
        """Yield (container timestamp in seconds, grey crop) for every decodable frame."""

    def frames(
        self, *, crop: Crop | None = None, max_frames: int | None = None, raw_luma: bool = False
    ) -> Iterator[tuple[float, np.ndarray]]:
        """Yield (seconds since the first frame, grey uint8 2-D array) per frame; copy an array to keep it.

        Arrays are reused between frames. ``crop`` (x, y, width, height) yields only that region, and only
        it is converted. ``raw_luma`` skips the range expansion: frames are then the stored luma, one step of
        which is :attr:`luma_scale` grey levels.
        """
        rows, cols = _check_crop(crop, self.width, self.height)
        self._log = _DecodeLog(self.metadata_frame_count)
        start: float | None = None
        for timestamp, grey in self._decode(rows, cols, raw_luma):
            if start is None:
                start = timestamp
            self._log.add(timestamp)
            yield timestamp - start, grey
            if max_frames is not None and self._log.count >= max_frames:
                return
        if self._log.count == 0:
            raise VideoOpenError(self.path, "no frame could be decoded")

    @property
    def luma_scale(self) -> float:
        """Full-range grey levels per step of the frames yielded with ``raw_luma=True`` (255/219 or 1)."""
        return 255.0 / 219.0 if self.limited_range else 1.0

    def timestamps(self) -> np.ndarray:
        """Per-frame timestamps (float64 seconds since the first frame) of the frames decoded so far."""
        stamps = self._log.timestamps()
        return stamps - stamps[0] if stamps.size else stamps

    def info(self, *, full_hash: bool = False) -> VideoInfo:
        """Metadata and decode report; call after iterating :meth:`frames` to get counts and warnings."""
        stamps = self._log.timestamps()
        warnings: list[str] = []
        fps, variable = self._effective_fps(stamps, warnings)
        if self._log.undecodable:
            warnings.append(
                f"{self._log.undecodable} frame(s) or packet(s) could not be decoded and were skipped"
            )
        self._check_frame_count(warnings)
        return VideoInfo(
            path=str(self.path),
            content_hash=content_hash(self.path, full=full_hash),
            size_bytes=self.path.stat().st_size,
            backend=self.backend,
            container=self.container_format,
            codec=self.codec,
            width=self.width,
            height=self.height,
            metadata_fps=self.metadata_fps,
            metadata_frame_count=self.metadata_frame_count,
            decoded_frames=self._log.count,
            undecodable_frames=self._log.undecodable,
            start_time_s=float(stamps[0]) if stamps.size else 0.0,
            fps=fps,
            variable_frame_rate=variable,
            warnings=tuple(warnings),
        )

    def _effective_fps(self, stamps: np.ndarray, warnings: list[str]) -> tuple[float, bool]:
        """Frame rate to use (metadata when the timestamps agree, else measured) and whether it varies."""
        nominal = self.metadata_fps or 0.0
        if stamps.size < 3:
            return nominal, False
        intervals = np.diff(stamps)
        median = float(np.median(intervals))
        tolerance = max(2.0 * self._time_tick_s, _VFR_TOLERANCE * median)
        regular = np.abs(intervals - median) <= tolerance
        variable = not bool(regular.all())
        typical = float(intervals[regular].mean())
        measured = 1.0 / typical if typical > 0 else nominal
        if variable:
            warnings.append(
                "variable frame rate or dropped frames: frame intervals range from "
                f"{intervals.min() * 1e3:.2f} to "
                f"{intervals.max() * 1e3:.2f} ms (median {median * 1e3:.2f} ms); "
                "use the timestamps, not frame / fps"
            )
        if not nominal:
            warnings.append(f"no frame rate in the metadata; measured {measured:.3f} fps from the timestamps")
            return measured, variable
        if abs(measured - nominal) > _FPS_TOLERANCE * nominal:
            warnings.append(
                f"metadata frame rate {nominal:.3f} fps disagrees with the timestamps ({measured:.3f} fps); "
                "using the measured rate"
            )
            return measured, variable
        return nominal, variable

    def _check_frame_count(self, warnings: list[str]) -> None:
        """Warn when the number of decoded frames differs from what the metadata announces."""
        expected = self.metadata_frame_count
        if expected is None:
            return
        tolerance = max(2, round(0.01 * expected)) if self._frame_count_is_estimate else 0
        if abs(self._log.count - expected) > tolerance:
            source = "estimated from duration x fps" if self._frame_count_is_estimate else "in the metadata"
            warnings.append(f"{self._log.count} frames decoded but {expected} announced ({source})")


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
        self.metadata_frame_count = self._announced_frames()

    def _announced_frames(self) -> int | None:
        """Frame count from the stream header, else estimated from its duration and frame rate."""
        if self._stream.frames > 0:
            return int(self._stream.frames)
        if self._stream.duration and self._time_base:
            duration = self._stream.duration * self._time_base
        elif self._container.duration:
            duration = self._container.duration / av.time_base
        else:
            return None
        if not self.metadata_fps:
            return None
        self._frame_count_is_estimate = True
        return round(duration * self.metadata_fps)

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
    rows = np.frombuffer(plane, dtype=np.uint8)
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


def open_video(path: str | Path, *, backend: Backend = "auto", threads: int = 0) -> VideoReader:
    """Open a video for streamed grey reading: PyAV when it can open the file, OpenCV otherwise."""
    path = Path(path)
    if not path.is_file():
        raise VideoOpenError(path, "no such file")
    if path.stat().st_size == 0:
        raise VideoOpenError(path, "the file is empty (0 bytes)")
    if backend == "opencv":
        return OpenCVReader(path)
    if backend == "pyav":
        return PyAVReader(path, threads=threads)
    try:
        return PyAVReader(path, threads=threads)
    except VideoOpenError as pyav_error:
        try:
            return OpenCVReader(path)
        except VideoOpenError:
            raise pyav_error from None
