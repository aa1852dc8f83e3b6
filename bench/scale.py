"""Scale: a 10,000-animal, 50-study database, and batch scoring of 200 short videos with flat memory.

Database. Setup (not timed) builds 50 studies of 200 mice through the services, as a lab would: create,
import the roster, weigh, randomize and seal (scrypt n = 2**14 instead of the default, to keep the setup
short; the timed operations never open the key). Then it times, as the median of several runs:

- listing: `list_studies` (all 50 with their roster sizes), `list_animals` of one 200-mouse study, and the
  `behavlab study list` / `behavlab animals list STUDY` commands rendering their tables, run in this process
  with their imports already loaded (`bench/startup.py` times the commands as the processes a user waits for);
- importing: one more 200-mouse roster into a new study of the full database (validation and insert);
- the dosing sheet: `dosing_sheet` for a randomized 200-mouse study, and writing it as CSV and HTML.

Batch. 200 synthetic 20-s videos (160x120, 15 fps) are scored by `score_videos` (local process pool, one
worker per CPU) in a fresh interpreter, first 20 of them, then all 200; each run reports its wall time and
the peak resident memory of its processes (the batch and its workers, together and the largest one, read
from /proc while it runs). Memory is flat when the 200-video peak is close to the 20-video one.

Run from the repository root (videos are written once under bench/out/):

    .venv/bin/python -m bench.scale [--db URL] [--studies 50] [--per-study 200] [--videos 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from behavlab.cli.main import app
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    dosing_sheet,
    draft_randomization,
    import_roster,
    list_animals,
    list_studies,
    open_workspace,
    write_dosing_sheet,
)
from bench._videos import bench_video
from cohorts.key_derivation import Argon2idParams
from cohorts.synth import synthetic_roster, write_roster_csv

SETUP_KDF = Argon2idParams.fast_for_tests()
PASSPHRASE = "bench passphrase, never for a real study"
REPEATS = 5

BATCH_CHILD = """
import json, sys, time
from pathlib import Path
from behavlab.services import score_videos
videos, out = [Path(p) for p in sys.argv[2:]], sys.argv[1]
window = {"window_start_s": 5.0, "window_end_s": 20.0, "test_duration_s": 20.0}
started = time.perf_counter()
report = score_videos(videos, out, overrides=window)
assert not report.failed, [o.error for o in report.failed]
print(json.dumps({"videos": len(report.outcomes), "seconds": time.perf_counter() - started,
                  "frames": report.frames_decoded}))
"""
POLL_S = 0.1


def median_s(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """The median wall time of `action` over `repeats` runs, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build(workspace: Workspace, folder: Path, studies: int, per_study: int) -> None:
    """Setup (not timed): `studies` randomized studies of `per_study` mice, through the services."""
    started = time.perf_counter()
    for index in range(studies):
        name = f"scale-{index:02d}"
        create_study(workspace, StudySettings(name=name))
        roster = write_roster_csv(synthetic_roster(per_study, seed=index), folder / f"roster-{index}.csv")
        import_roster(workspace, name, roster)  # its weights count as today's, for today's dosing sheet
        draft = draft_randomization(workspace, name, RandomizationOptions(seed=index))
        commit_randomization(workspace, draft, PASSPHRASE, kdf=SETUP_KDF)
    print(f"setup: {studies} studies x {per_study} mice built through the services in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip


def database_figures(url: str | None, studies: int, per_study: int) -> None:
    """Build the database, then time listing, importing and the dosing sheet."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url = url or f"sqlite:///{folder / 'scale.sqlite'}"
        workspace = open_workspace(url, actor="bench")
        build(workspace, folder, studies, per_study)
        overviews = list_studies(workspace)
        total = sum(overview.n_animals for overview in overviews)
        print(f"database: {len(overviews)} studies, {total} animals ({workspace.location})")
        target = "scale-00"
        runner = CliRunner()

        def cli(*args: str) -> None:
            result = runner.invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
            assert result.exit_code == 0, result.output

        figures = {
            "list_studies (all studies)": median_s(lambda: list_studies(workspace)),
            f"list_animals ({per_study} mice)": median_s(lambda: list_animals(workspace, target)),
            "behavlab study list (in-process)": median_s(lambda: cli("study", "list")),
            f"behavlab animals list ({per_study} mice, in-process)": median_s(
                lambda: cli("animals", "list", target)
            ),
        }
        roster = write_roster_csv(synthetic_roster(per_study, seed=999), folder / "roster-new.csv")
        imports = []
        for run in range(REPEATS):
            create_study(workspace, StudySettings(name=f"new-{run}"))
            started = time.perf_counter()
            import_roster(workspace, f"new-{run}", roster)
            imports.append(time.perf_counter() - started)
        figures[f"import_roster ({per_study} mice, into the full database)"] = statistics.median(imports)
        figures[f"dosing_sheet ({per_study} mice)"] = median_s(lambda: dosing_sheet(workspace, target))
        sheet = dosing_sheet(workspace, target)
        assert all(line.volume_ml is not None for line in sheet.lines), "the setup weights are not today's"
        for kind in ("csv", "html"):
            figures[f"write the dosing sheet ({kind.upper()})"] = median_s(
                lambda kind=kind: write_dosing_sheet(sheet, folder / f"dosing.{kind}")
            )
        figures[f"behavlab dosing-sheet --out CSV ({per_study} mice, in-process)"] = median_s(
            lambda: cli("dosing-sheet", target, "--out", str(folder / "cli.csv"))
        )
        workspace.engine.dispose()
    for name, seconds in figures.items():
        print(f"  {name:58s} {seconds * 1000:8.1f} ms (median of {REPEATS})")


def _process_tree(root: int) -> list[int]:
    """The process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """A process's resident set now and its peak so far (VmRSS, VmHWM), in kB; zero once it has exited."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
        )
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return 0, 0


def batch_run(videos: list[Path]) -> dict[str, float]:
    """Score the videos in a fresh interpreter: its wall time and the peak memory of its process tree.

    Memory is sampled every POLL_S seconds from /proc, for all processes together and the largest single one.
    """
    with tempfile.TemporaryDirectory() as out:
        child = subprocess.Popen(
            [sys.executable, "-c", BATCH_CHILD, out, *map(str, videos)], stdout=subprocess.PIPE, text=True
        )
        peak_total_kb, peak_process_kb = 0, 0
        while child.poll() is None:
            memory = [_memory_kb(pid) for pid in _process_tree(child.pid)]
            peak_total_kb = max(peak_total_kb, sum(rss for rss, _ in memory))
            peak_process_kb = max([peak_process_kb, *(peak for _, peak in memory)])
            time.sleep(POLL_S)
        stdout = child.stdout.read() if child.stdout else ""
        if child.returncode != 0:
            raise RuntimeError(f"the batch failed (exit {child.returncode})")
    run = json.loads(stdout.strip().splitlines()[-1])
    return {**run, "tree_rss_mb": peak_total_kb / 1024, "process_rss_mb": peak_process_kb / 1024}


def batch_figures(n_videos: int) -> None:
    """Score the first tenth of the videos, then all of them; print time and peak memory of each."""
    videos = [
        bench_video(f"short_{i:03d}", duration_s=20.0, fps=15.0, size=(160, 120), seed=i).video
        for i in range(n_videos)
    ]
    runs = {n: batch_run(videos[:n]) for n in (max(n_videos // 10, 1), n_videos)}
    for n, run in runs.items():
        print(
            f"  {n:4d} videos: {run['seconds']:6.1f} s ({run['frames'] / run['seconds']:,.0f} frames/s), "
            f"peak RSS {run['tree_rss_mb']:6.1f} MB all processes, "
            f"{run['process_rss_mb']:6.1f} MB the largest one"
        )
    (few, small), (many, large) = runs.items()
    batch_ratio = large["tree_rss_mb"] / small["tree_rss_mb"]
    worker_ratio = large["process_rss_mb"] / small["process_rss_mb"]
    print(
        f"  {many} / {few} videos: peak RSS x{batch_ratio:.2f} all processes, x{worker_ratio:.2f} largest one"
    )


def main() -> None:
    """Print the database and batch figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL of an empty database (default: a temporary SQLite file)")
    parser.add_argument("--studies", type=int, default=50)
    parser.add_argument("--per-study", type=int, default=200)
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--skip-batch", action="store_true", help="Only the database figures.")
    args = parser.parse_args()
    print(f"behavlab scale benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    database_figures(args.db, args.studies, args.per_study)
    if not args.skip_batch:
        print(f"batch scoring ({args.videos} synthetic 20-s videos, 160x120, 15 fps, one worker per CPU):")
        batch_figures(args.videos)


if __name__ == "__main__":
    main()
