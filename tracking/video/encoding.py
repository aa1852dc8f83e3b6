"""Writing video with PyAV: a yuv420p stream, as the overlays and the synthetic videos write."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Literal

from av.container import OutputContainer
from av.video.stream import VideoStream

#: The FFmpeg encoders behavlab writes with: MPEG-4 Part 2 ("mp4v") and H.264 (x264).
VideoEncoder = Literal["mpeg4", "libx264"]
#: Largest denominator of the frame rate written (1001 gives NTSC's 30000/1001 exactly).
_RATE_DENOMINATOR = 1001


def add_video_stream(
    container: OutputContainer,
    encoder: VideoEncoder,
    fps: float,
    size: tuple[int, int],
    options: Mapping[str, str],
) -> VideoStream:
    """Add a yuv420p video stream to an open output container.

    Parameters
    ----------
    container
        The output container (``av.open(path, mode="w")``).
    encoder
        The FFmpeg encoder.
    fps
        Frames per second, written as a fraction with a denominator up to 1001.
    size
        Frame width and height in pixels; both must be even for yuv420p.
    options
        The encoder's options (e.g. ``{"qscale": "4"}``).

    Returns
    -------
    VideoStream
        The stream to encode frames with; flush it with ``container.mux(stream.encode())`` at the end.
    """
    rate = Fraction(fps).limit_denominator(_RATE_DENOMINATOR)
    stream = container.add_stream(encoder, rate=rate, options=dict(options))
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    return stream
