"""Scoring throughput as a ratio of bare OpenCV decoding, on one 640x480 30-fps 6-min video, in one run.

For mp4v and H.264: frames per second of ``cv2.VideoCapture.read()`` alone (no grey conversion, nothing
else), of scoring with 1 ROI and with 4 ROIs (``tracking.score_video``: decode, motion signal, threshold, bout
rule, summary), their ratios, and scoring speed as a multiple of real time.
Run from the repository root: ``.venv/bin/python -m bench.score_vs_decode``.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2

from bench._videos import bench_video
from tracking.motion.scoring import score_video
from tracking.video.rois import ROI, CircleROI


def opencv_decode_fps(path: Path) -> float:
    """Frames per second of reading every frame with ``cv2.VideoCapture.read()``."""
    capture = cv2.VideoCapture(str(path))
    started = time.perf_counter()
    frames = 0
    while capture.read()[0]:
        frames += 1
    elapsed = time.perf_counter() - started
    capture.release()
    return frames / elapsed


def scoring_fps(path: Path, rois: list[ROI]) -> tuple[float, int]:
    """Frames per second of ``score_video`` with ``rois``, and the frames scored."""
    started = time.perf_counter()
    score = score_video(path, rois)
    return score.signal.values.shape[0] / (time.perf_counter() - started), score.signal.values.shape[0]


def four_rois(size: tuple[int, int]) -> list[ROI]:
    """Four tank-sized circles in a 2 x 2 grid."""
    width, height = size
    r = 0.22 * min(width, height)
    return [
        CircleROI(f"tank{i + 1}", (0.25 + 0.5 * (i % 2)) * width, (0.25 + 0.5 * (i // 2)) * height, r)
        for i in range(4)
    ]


def main() -> None:
    """Print decode and scoring throughput and their ratios for mp4v and H.264."""
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV threads")
    for codec in ("mpeg4", "h264"):
        truth = bench_video(f"fst_640x480_30fps_6min_{codec}", codec=codec)
        one = [truth.tanks[0].roi]
        decode = opencv_decode_fps(truth.video)
        score1, frames = scoring_fps(truth.video, one)
        score4, _ = scoring_fps(truth.video, four_rois((truth.width, truth.height)))
        realtime = frames / truth.fps
        print(f"\n{'mp4v' if codec == 'mpeg4' else 'H.264'} ({frames} frames, {realtime:.0f} s of video)")
        print(f"  bare OpenCV decode        {decode:8.0f} fps")
        print(
            f"  scoring, 1 ROI            {score1:8.0f} fps   ratio {score1 / decode:5.2f}   "
            f"{score1 / truth.fps:5.0f}x real time"
        )
        print(
            f"  scoring, 4 ROIs           {score4:8.0f} fps   ratio {score4 / decode:5.2f}   "
            f"{score4 / truth.fps:5.0f}x real time"
        )


if __name__ == "__main__":
    main()
