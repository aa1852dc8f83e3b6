"""What a user waits for: `behavlab` commands as whole processes, against the interpreter's own start-up.

Builds once, in a temporary SQLite database, 50 studies, one of them randomized with 200 weighed animals,
then times each command as a new process the way hyperfine does (one warm-up run, then the minimum and median
of --runs), next to the floors on the same machine: `python -c pass`, `python -c "import typer"` (the floor of
any typer command) and `python -c "import sqlmodel"` (the floor of any command that opens the database). It
also times importing the bench app (all its screens) as a process: its start before it draws.

    .venv/bin/python bench/startup.py [--runs 10]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from behavlab.services import StudySettings, create_study, open_workspace
from bench._study import weighed_randomized_study

N_STUDIES = 50
N_ANIMALS = 200
STUDY = "bench-200"
PASSPHRASE = "bench startup passphrase words"
#: The bench app's own start before it draws: every screen's module, none of the statistics or video stack.
APP_IMPORT = "import behavlab.tui.app"
FLOORS = {
    "python -c pass": ["-c", "pass"],
    "import typer": ["-c", "import typer"],
    "import sqlmodel": ["-c", "import sqlmodel"],
}


def build_database(folder: Path) -> str:
    """The database URL of N_STUDIES studies, STUDY randomized with N_ANIMALS animals weighed today."""
    url = f"sqlite:///{folder / 'startup.sqlite'}"
    workspace = open_workspace(url, "bench")
    now = datetime.now(UTC)
    weighed_randomized_study(
        workspace,
        folder,
        STUDY,
        n_animals=N_ANIMALS,
        weighed=now - timedelta(minutes=5),
        roster_weighed=now - timedelta(days=1),
        passphrase=PASSPHRASE,
        no_protocol=True,
    )
    for number in range(1, N_STUDIES):
        create_study(workspace, StudySettings(name=f"study-{number:02d}"))
    workspace.engine.dispose()
    return url


def timed(argv: Sequence[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Minimum and median seconds of `runs` runs of `argv` as a process, after one warm-up run."""
    seconds = []
    for run in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if run:
            seconds.append(time.perf_counter() - started)
    return min(seconds), statistics.median(seconds)


def behavlab_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m behavlab`."""
    script = Path(sys.executable).with_name("behavlab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "behavlab"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = build_database(folder)
        env = {**os.environ, "BEHAVLAB_DB": url, "BEHAVLAB_USER": "bench", "COLUMNS": "120"}
        commands = {
            "behavlab --version": ["--version"],
            f"study list ({N_STUDIES})": ["study", "list"],
            f"animals list ({N_ANIMALS})": ["animals", "list", STUDY],
            f"dosing-sheet --out ({N_ANIMALS})": ["dosing-sheet", STUDY, "--out", str(folder / "sheet.csv")],
        }
        floors = {name: timed([sys.executable, *args], env, runs) for name, args in FLOORS.items()}
        results = {name: timed([*behavlab_command(), *args], env, runs) for name, args in commands.items()}
        results[APP_IMPORT] = timed([sys.executable, "-c", APP_IMPORT], env, runs)
    print(f"{runs} runs after one warm-up; seconds (min / median); ratios of medians to each floor")
    header = f"{'':30} {'min':>7} {'median':>7}" + "".join(f" {'x ' + name:>17}" for name in FLOORS)
    print(header)
    for name, (fastest, median) in {**floors, **results}.items():
        ratios = "".join(f" {median / floor_median:17.2f}" for _, floor_median in floors.values())
        print(f"{name:30} {fastest:7.3f} {median:7.3f}{ratios}")


if __name__ == "__main__":
    main()
