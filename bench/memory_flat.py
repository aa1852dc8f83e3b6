"""Peak memory of scoring a 30-min video against a 3-min one: flat in video length.

Each video is scored (with every output file, as a batch does) in a fresh interpreter; the child reports its
peak resident set size (``resource.getrusage``, max RSS) and its Python-allocation peak (``tracemalloc``).
Run from the repository root: ``.venv/bin/python -m bench.memory_flat``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from bench._videos import bench_video

CHILD = """
import json, resource, sys, tracemalloc
from pathlib import Path
from tracking.batch.jobs import BatchSettings, VideoJob
from tracking.batch.run import run_job
from tracking.rules.presets import get_preset
tracemalloc.start()
job = VideoJob(Path(sys.argv[1]), "motion", BatchSettings(Path(sys.argv[2]), get_preset("fst")))
outcome = run_job(job)
assert outcome.ok, outcome.error
print(json.dumps({"max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "traced_peak_mb": tracemalloc.get_traced_memory()[1] / 2**20, "frames": outcome.frames}))
"""


def measure(video: str) -> dict[str, float]:
    """Peak memory of scoring one video in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, video, out], capture_output=True, text=True, check=True
        )
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the peak memory of a 3-min and a 30-min video (640x480, 30 fps) and their ratio."""
    short = measure(str(bench_video("fst_640x480_30fps_3min", duration_s=180.0).video))
    long = measure(str(bench_video("fst_640x480_30fps_30min", duration_s=1800.0, seed=1).video))
    for name, m in (("3 min", short), ("30 min", long)):
        print(
            f"  {name:7s} {m['frames']:6d} frames  max RSS {m['max_rss_mb']:6.1f} MB  "
            f"Python peak {m['traced_peak_mb']:6.1f} MB"
        )
    print(
        f"  30 min / 3 min: max RSS {long['max_rss_mb'] / short['max_rss_mb']:.3f}, "
        f"Python peak {long['traced_peak_mb'] / short['traced_peak_mb']:.3f}"
    )


if __name__ == "__main__":
    main()
