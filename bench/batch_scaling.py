"""Batch scaling: 8 six-minute FST videos scored with ``--jobs 1``, ``--jobs 2`` and ``--dask local``.

Each worker decodes with one thread and runs OpenCV single-threaded (the batch's default), so ``--jobs N``
uses N cores; worker start-up is inside the timings. Prints wall time, frames per second and the speed-ups
over ``--jobs 1``, all from one run.
Run from the repository root: ``.venv/bin/python -m bench.batch_scaling``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench._videos import bench_video
from tracking.batch.jobs import BatchSettings
from tracking.batch.run import run_batch
from tracking.batch.runners import DaskRunner, LocalRunner, Runner, default_jobs
from tracking.rules.presets import get_preset
from tracking.video.rois import RoiFile

N_VIDEOS = 8


def timed(runner: Runner, videos: list[Path], settings: BatchSettings) -> tuple[float, int]:
    """Wall time and frames decoded for one batch."""
    started = time.perf_counter()
    report = run_batch(videos, settings, runner=runner)
    if report.failed:
        raise SystemExit(f"failed: {[(o.video.name, o.error) for o in report.failed]}")
    return time.perf_counter() - started, report.frames_decoded


def main() -> None:
    """Print the speed-up of 2 processes and of a 2-worker Dask LocalCluster over 1 process."""
    truths = [bench_video(f"fst_640x480_30fps_6min_{i}", duration_s=360.0, seed=i) for i in range(N_VIDEOS)]
    videos = [t.video for t in truths]
    rois = RoiFile(default=tuple(t.roi for t in truths[0].tanks))
    print(f"{N_VIDEOS} videos, 640x480 30 fps, 6 min each (a whole forced swim test); {default_jobs()} CPUs")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, runner in (
            ("--jobs 1", LocalRunner(1)),
            ("--jobs 2", LocalRunner(2)),
            ("--dask local (2 workers)", DaskRunner("local", 2)),
        ):
            settings = BatchSettings(Path(scratch) / name.split()[0].strip("-"), get_preset("fst"), rois=rois)
            results[name] = timed(runner, videos, settings)
    base = results["--jobs 1"][0]
    for name, (elapsed, frames) in results.items():
        print(f"  {name:26s} {elapsed:6.1f} s  {frames / elapsed:6.0f} fps  speed-up {base / elapsed:4.2f}")


if __name__ == "__main__":
    main()
