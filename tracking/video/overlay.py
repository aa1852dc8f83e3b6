"""Annotated MP4 of a scored video: each ROI outlined in its animal's per-frame state, with running totals.

A second decode pass (only when an overlay is asked for): every frame is drawn with its ROIs, red while the
animal is immobile and green while it moves, with the animal's label, its state and the immobility counted so
far in the scored window, and the test time in a corner, so a reviewer can check the scoring by eye.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import av
import cv2
import numpy as np

from tracking.rules.immobility import FrameState
from tracking.rules.result import VideoScore
from tracking.rules.summary import AnimalResult
from tracking.video.encoding import add_video_stream
from tracking.video.info import VideoOpenError
from tracking.video.reader import open_video
from tracking.video.rois import ROI, full_mask
from writing.atomic import atomic_write

_IMMOBILE_BGR = (40, 40, 230)
_MOBILE_BGR = (60, 200, 60)
_MISSING_BGR = (160, 160, 160)
_ENCODER: Final = "mpeg4"
_ENCODER_OPTIONS = {"qscale": "5"}
_STATE_TEXT = {
    FrameState.MISSING: "?",
    FrameState.IMMOBILE: "immobile",
    FrameState.MOBILE: "mobile",
    FrameState.CLIMBING: "climbing",
}


#: Seconds after the latest test start at which the ROI picture's frame is taken, so every animal is in.
AFTER_START_S = 1.0


def first_frame(video: str | Path) -> np.ndarray:
    """The first decodable frame of a video as full-range grey (a copy)."""
    with open_video(video) as reader:
        _, grey = next(reader.frames(max_frames=1))
        return grey.copy()


def frame_at(video: str | Path, time_s: float) -> np.ndarray:
    """The first frame shown at or after ``time_s`` (s of video time, from the first frame), as grey.

    Parameters
    ----------
    video
        The video file.
    time_s
        Seconds of video time, counted from the first frame as the scoring counts them.

    Returns
    -------
    numpy.ndarray
        (height, width) uint8 grey frame; the video's last frame when it ends before ``time_s``.

    Notes
    -----
    Seeks to the keyframe before ``time_s`` and decodes from there, so a frame a minute in costs one group of
    pictures, not a minute of decoding.
    """
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        base = stream.time_base
        origin = float(stream.start_time * base) if stream.start_time is not None and base else 0.0
        if time_s > 0 and base:
            container.seek(round((origin + time_s) / base), stream=stream)
        shown: av.VideoFrame | None = None
        for shown in container.decode(stream):
            if shown.time is not None and shown.time - origin >= time_s:
                break
        if shown is None:
            raise VideoOpenError(video, f"no frame could be decoded at or after {time_s:g} s")
        return np.asarray(shown.to_ndarray(format="gray"), dtype=np.uint8)


def _window_totals(result: AnimalResult) -> np.ndarray:
    """Seconds of immobility in the scored window up to the end of each frame."""
    frames = result.frames
    inside = (frames.time_s >= result.window_start_s) & (frames.time_s < result.window_end_s)
    return np.cumsum(np.where(frames.immobile & inside, frames.duration_s, 0.0))


def _colour(state: int) -> tuple[int, int, int]:
    """Red for immobile, grey for unknown, green for any moving state."""
    if state == FrameState.IMMOBILE:
        return _IMMOBILE_BGR
    return _MISSING_BGR if state == FrameState.MISSING else _MOBILE_BGR


def _outline(roi: ROI, size: tuple[int, int]) -> list[np.ndarray]:
    """The ROI's outer contour in frame pixels, whatever its shape."""
    mask = full_mask(roi, size).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return list(contours)


def _text(
    image: np.ndarray, text: str, origin: tuple[int, int], colour: tuple[int, int, int], scale: int
) -> None:
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, colour, scale, cv2.LINE_AA)


def _annotate(
    image: np.ndarray,
    time_s: float,
    frame: int,
    score: VideoScore,
    outlines: list[list[np.ndarray]],
    totals: list[np.ndarray],
    scale: int,
) -> None:
    """Draw each ROI in its state at ``frame`` with label, state and running total, and the test time."""
    height = image.shape[0]
    for roi, outline, result, total in zip(score.rois, outlines, score.animals, totals, strict=True):
        state = FrameState(int(result.frames.state[frame]))
        colour = _colour(state)
        x0, y0, _, y1 = roi.bounds()
        left = max(x0, 0) + 4
        cv2.drawContours(image, outline, -1, colour, 2 * scale, cv2.LINE_AA)
        _text(image, f"{result.animal} {_STATE_TEXT[state]}", (left, max(y0, 0) + 14 * scale), colour, scale)
        _text(image, f"immobile {total[frame]:.1f} s", (left, min(y1, height) - 6 * scale), colour, scale)
    _text(image, f"t {time_s:7.2f} s", (4, height - 6 * scale), (255, 255, 255), scale)


def write_overlay(score: VideoScore, path: str | Path) -> Path:
    """Write ``score``'s video annotated frame by frame as an MPEG-4 (mp4v) file at ``path``, atomically."""
    totals = [_window_totals(result) for result in score.animals]
    last = min(result.frames.n_frames for result in score.animals) - 1

    def encode(temporary: Path) -> None:
        with open_video(score.video) as reader, av.open(str(temporary), mode="w", format="mp4") as out:
            size = (reader.width, reader.height)
            outlines = [_outline(roi, size) for roi in score.rois]
            even = (reader.width - reader.width % 2, reader.height - reader.height % 2)
            stream = add_video_stream(out, _ENCODER, score.signal.fps, even, _ENCODER_OPTIONS)
            scale = max(1, round(min(size) / 240))
            for index, (time_s, grey) in enumerate(reader.frames()):
                image = np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
                _annotate(image, time_s, min(index, last), score, outlines, totals, scale)
                frame = av.VideoFrame.from_ndarray(image[: even[1], : even[0]], format="bgr24")
                out.mux(stream.encode(frame))
            out.mux(stream.encode())

    return atomic_write(path, encode)
