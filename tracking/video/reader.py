"""Streamed reading of grey video frames, with the container's timestamps and a decode report.

One interface, :class:`VideoReader`, and two implementations in :mod:`tracking.video.backends`:

- :class:`~tracking.video.backends.PyAVReader` decodes with FFmpeg's libraries through PyAV and takes only the
  luma (Y) plane, which is the grey image, without any colour conversion. Frame threading is on by default.
- :class:`~tracking.video.backends.OpenCVReader` uses ``cv2.VideoCapture`` and converts each BGR frame to
  grey; it is the fallback for a file PyAV cannot open.

Both yield the same grey frames: full-range grey levels 0-255, as ``cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)``
gives after OpenCV's own decode. Most video stores luma in the limited ("MPEG", 16-235) range, which OpenCV
expands when it converts to BGR; the PyAV reader expands it with one 256-entry look-up table, only inside the
requested crop. :func:`open_video` picks the backend.

Notes
-----
ezTrack (Pennington et al. 2019, Sci Rep 9:19979) and DBscorer read frames with ``cv2.VideoCapture`` and
convert them to grey; PyAV's luma plane skips the YUV -> BGR -> grey round trip, which is most of OpenCV's
per-frame cost. Timestamps are ``pts * time_base`` from the container, relative to the first decoded frame.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Literal

import numpy as np

from tracking.video.hashing import content_hash
from tracking.video.info import VideoInfo, VideoOpenError

Backend = Literal["auto", "pyav", "opencv"]
Crop = tuple[int, int, int, int]
"""A region of the frame as (x, y, width, height) in pixels."""

#: Relative difference between two frame rates above which they count as different (1%).
FPS_TOLERANCE = 0.01
_VFR_TOLERANCE = 0.10
#: Largest frame read, in pixels (4096 x 4096; a 4K camera is 3840 x 2160). A header claiming more is refused
#: before anything is decoded: one such frame and its blurred copies would take gigabytes of memory.
MAX_FRAME_PIXELS = 4096 * 4096
#: Full-range grey levels per step of limited-range (16-235) luma.
LIMITED_RANGE_STEP = 255.0 / 219.0


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

    def timestamps(self) -> np.ndarray:
        """Timestamps recorded so far, in seconds as the container gives them."""
        return self._timestamps[: self.count].copy()


class VideoReader(ABC):
    """Streams grey frames of one video; use as a context manager and iterate :meth:`frames` once.

    ``width`` and ``height`` are in pixels, ``metadata_fps`` in frames per second and ``duration_s`` in
    seconds as the file announces them; ``header_variable_rate`` is True when the header's base and average
    frame rates disagree (a variable frame rate the header alone shows).
    """

    backend: str = ""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.width = 0
        self.height = 0
        self.codec = ""
        self.container_format = ""
        self.metadata_fps: float | None = None
        self.metadata_frame_count: int | None = None
        self.duration_s: float | None = None
        self.header_variable_rate = False
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

        Arrays are reused between frames. ``crop`` (x, y, width, height in pixels) yields only that region,
        and only it is converted. ``raw_luma`` skips the range expansion: frames are then the stored luma, one
        step of which is :attr:`luma_scale` grey levels.
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
        return LIMITED_RANGE_STEP if self.limited_range else 1.0

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
        if abs(measured - nominal) > FPS_TOLERANCE * nominal:
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


def open_video(path: str | Path, *, backend: Backend = "auto", threads: int = 0) -> VideoReader:
    """Open a video for streamed grey reading: PyAV when it can open the file, OpenCV otherwise.

    Parameters
    ----------
    path
        The video file; any suffix is tried.
    backend
        ``"pyav"`` or ``"opencv"`` to use one reader only; ``"auto"`` falls back to OpenCV when PyAV cannot
        open the file (and reports PyAV's reason when neither can).
    threads
        Decoder threads for PyAV; 0 lets FFmpeg choose.

    Returns
    -------
    VideoReader
        An open reader (a context manager) whose ``width`` and ``height`` are in pixels and whose
        :meth:`~VideoReader.frames` yield (seconds since the first frame, grey frame).

    Raises
    ------
    VideoOpenError
        The file is missing, empty, holds no video stream, or neither reader can open it.
    """
    # The backends subclass VideoReader, so they are imported here rather than above.
    from tracking.video.backends import OpenCVReader, PyAVReader

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
