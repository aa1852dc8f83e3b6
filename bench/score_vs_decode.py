"""Scoring throughput as a ratio of bare OpenCV decoding, and the cost of detecting each animal's test start.

For mp4v and H.264, on one 640x480 30-fps 6-min video: frames per second of ``cv2.VideoCapture.read()``
alone (no grey conversion, nothing else), of scoring with 1 ROI and with 4 ROIs (``tracking.score_video``:
decode, motion signal, threshold, bout rule, summary), their ratios, and scoring speed as a multiple of real
time. Then, on a 4-tank video recorded as labs do (each mouse dropped in after its own lead-in,
:data:`LEAD_INS_S`, and filmed for a whole test after it), scoring with start detection and without it, side
by side in the same run: the same video, repetitions interleaved (the order alternating), the fastest and the
median of each, their throughput ratio against :data:`MIN_DETECTION_RATIO` (and the ratio of CPU time per
frame, steadier on a shared machine), and the detected starts' largest error.
Run from the repository root: ``.venv/bin/python -m bench.score_vs_decode [--repeats N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from bench._videos import bench_video
from tracking.motion.scoring import score_video
from tracking.rules.presets import FST_DURATION_S
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import Codec
from tracking.video.rois import ROI, CircleROI

#: Each tank's lead-in (s of video before its mouse is dropped in): staggered drops, up to 72 s apart.
LEAD_INS_S = (8.0, 27.0, 52.0, 80.0)
#: The share of the throughput without detection that scoring with detection must keep.
MIN_DETECTION_RATIO = 0.9
DEFAULT_REPEATS = 5


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


def scoring_fps(path: Path, rois: Sequence[ROI]) -> tuple[float, int]:
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


def largest_start_error_s(truth: SynthTruth) -> float:
    """The largest distance (s) between a tank's detected test start and its mouse's filmed entry."""
    score = score_video(truth.video, [tank.roi for tank in truth.tanks], detect_start=True)
    if score.failed:
        raise RuntimeError(f"no start detected in {truth.video.name}: {score.failed}")
    detected = {animal.animal: animal.start.start_s for animal in score.animals}
    return max(abs(detected[tank.roi.label] - tank.entry_s) for tank in truth.tanks)


@dataclass
class Runs:
    """Each run's frames per second by the wall clock, and CPU seconds per frame (every thread's)."""

    fps: list[float] = field(default_factory=list)
    cpu_per_frame: list[float] = field(default_factory=list)


def detection_side_by_side(truth: SynthTruth, repeats: int) -> dict[bool, Runs]:
    """Scoring with start detection (True) and without (False), ``repeats`` runs each, interleaved."""
    rois = [tank.roi for tank in truth.tanks]
    runs = {False: Runs(), True: Runs()}
    for repeat in range(repeats):
        for detect in (False, True) if repeat % 2 == 0 else (True, False):
            wall, cpu = time.perf_counter(), time.process_time()
            frames = score_video(truth.video, rois, detect_start=detect).signal.values.shape[0]
            runs[detect].fps.append(frames / (time.perf_counter() - wall))
            runs[detect].cpu_per_frame.append((time.process_time() - cpu) / frames)
    return runs


def print_decode_ratios(codec: Codec) -> None:
    """Bare decode against scoring with 1 and 4 ROIs on the 1-tank 6-min video."""
    truth = bench_video(f"fst_640x480_30fps_6min_{codec}", codec=codec)
    one = [truth.tanks[0].roi]
    decode = opencv_decode_fps(truth.video)
    score1, frames = scoring_fps(truth.video, one)
    score4, _ = scoring_fps(truth.video, four_rois((truth.width, truth.height)))
    print(f"\n{_codec_name(codec)} ({frames} frames, {frames / truth.fps:.0f} s of video)")
    print(f"  bare OpenCV decode        {decode:8.0f} fps")
    for label, fps in (("scoring, 1 ROI ", score1), ("scoring, 4 ROIs", score4)):
        ratio = fps / decode
        print(f"  {label}           {fps:8.0f} fps   ratio {ratio:5.2f}   {fps / truth.fps:5.0f}x real time")


def print_detection_cost(codec: Codec, repeats: int) -> None:
    """Scoring with and without start detection, interleaved, on the 4-tank video with staggered lead-ins."""
    duration = max(LEAD_INS_S) + FST_DURATION_S
    truth = bench_video(
        f"fst_640x480_30fps_4tanks_leadin_{codec}",
        codec=codec,
        duration_s=duration,
        n_tanks=len(LEAD_INS_S),
        entry_s=LEAD_INS_S,
    )
    runs = detection_side_by_side(truth, repeats)
    leads = ", ".join(f"{lead:g}" for lead in LEAD_INS_S)
    print(f"\n{_codec_name(codec)}, 4 tanks, lead-ins {leads} s ({truth.n_frames} frames, {duration:.0f} s)")
    for detect, label in ((False, "start detection off"), (True, "start detection on ")):
        fps, cpu = runs[detect].fps, runs[detect].cpu_per_frame
        print(
            f"  scoring, {label}  fastest {max(fps):6.0f} fps   median {statistics.median(fps):6.0f} fps   "
            f"CPU {1e3 * statistics.median(cpu):.3f} ms/frame (median)"
        )
    best = max(runs[True].fps) / max(runs[False].fps)
    median = statistics.median(runs[True].fps) / statistics.median(runs[False].fps)
    by_cpu = statistics.median(runs[False].cpu_per_frame) / statistics.median(runs[True].cpu_per_frame)
    verdict = "keeps" if min(best, median) >= MIN_DETECTION_RATIO else "DOES NOT keep"
    print(
        f"  with detection / without: fastest {best:.3f}, median {median:.3f}, by CPU time {by_cpu:.3f} "
        f"({repeats} runs each)"
    )
    print(f"  {verdict} {MIN_DETECTION_RATIO:.0%} of the throughput (fastest and median)")
    print(f"  largest detected-start error {largest_start_error_s(truth):.2f} s")


def _codec_name(codec: Codec) -> str:
    return "mp4v" if codec == "mpeg4" else "H.264"


def main() -> None:
    """Print decode and scoring throughput, and the cost of start detection, for mp4v and H.264."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs of each, with and without")
    repeats = parser.parse_args().repeats
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV threads")
    codecs: tuple[Codec, ...] = ("mpeg4", "h264")
    for codec in codecs:
        print_decode_ratios(codec)
        print_detection_cost(codec, repeats)


if __name__ == "__main__":
    main()
