"""Batch scaling: six-minute FST videos scored with ``--jobs 1``, ``--jobs 2`` and ``--dask local``.

Each worker decodes with one thread and runs OpenCV single-threaded (the batch's default), so ``--jobs N``
uses N cores; worker and cluster start-up are inside the timings. The configurations run in turn, ``--runs``
rounds of all three (interleaved, so a slow spell of the machine hits each alike); the speed-ups over
``--jobs 1`` are of the median wall times. The videos (default 16: enough work to amortize start-up) are
written once under bench/out/ and kept. It takes several minutes: run it in the background, e.g.
``.venv/bin/python -m bench.batch_scaling > bench/out/batch_scaling.txt 2>&1 &``.
Run from the repository root: ``.venv/bin/python -m bench.batch_scaling [--videos N] [--runs R]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench._videos import bench_video
from tracking.batch.jobs import BatchSettings
from tracking.batch.run import run_batch
from tracking.batch.runners import DaskRunner, LocalRunner, Runner, default_jobs
from tracking.rules.presets import get_preset
from tracking.video.rois import RoiFile

#: Each configuration's name and how to make its runner (a fresh one per run).
CONFIGURATIONS: dict[str, Callable[[], Runner]] = {
    "--jobs 1": lambda: LocalRunner(1),
    "--jobs 2": lambda: LocalRunner(2),
    "--dask local (2 workers)": lambda: DaskRunner("local", 2),
}
BASELINE = "--jobs 1"


def timed(runner: Runner, videos: list[Path], settings: BatchSettings) -> tuple[float, int]:
    """Wall time and frames decoded for one batch."""
    started = time.perf_counter()
    report = run_batch(videos, settings, runner=runner)
    if report.failed:
        raise SystemExit(f"failed: {[(o.video.name, o.error) for o in report.failed]}")
    return time.perf_counter() - started, report.frames_decoded


def arguments() -> argparse.Namespace:
    """The number of videos and of interleaved rounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=16, help="six-minute videos per batch (default 16)")
    parser.add_argument("--runs", type=int, default=3, help="rounds of every configuration (default 3)")
    args = parser.parse_args()
    if args.videos < 1 or args.runs < 1:
        parser.error("--videos and --runs must be at least 1")
    return args


def main() -> None:
    """Print each configuration's wall times and the speed-ups of their medians over ``--jobs 1``."""
    args = arguments()
    truths = [
        bench_video(f"fst_640x480_30fps_6min_{i}", duration_s=360.0, seed=i) for i in range(args.videos)
    ]
    videos = [t.video for t in truths]
    rois = RoiFile(default=tuple(t.roi for t in truths[0].tanks))
    print(
        f"{args.videos} videos, 640x480 30 fps, 6 min each (a whole FST), {default_jobs()} CPUs, "
        f"{args.runs} interleaved run(s) of each configuration",
        flush=True,
    )
    times: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    frames: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            for name, make_runner in CONFIGURATIONS.items():
                settings = BatchSettings(Path(tempfile.mkdtemp(dir=scratch)), get_preset("fst"), rois=rois)
                elapsed, frames[name] = timed(make_runner(), videos, settings)
                times[name].append(elapsed)
                print(f"  run {run + 1}: {name:26s} {elapsed:6.1f} s", flush=True)
    base = statistics.median(times[BASELINE])
    print("median of the runs:")
    for name, elapsed_s in times.items():
        median = statistics.median(elapsed_s)
        print(
            f"  {name:26s} {median:6.1f} s  {frames[name] / median:6.0f} fps  speed-up {base / median:4.2f}x"
            f"  (runs: {', '.join(f'{s:.1f}' for s in elapsed_s)} s)"
        )


if __name__ == "__main__":
    main()
