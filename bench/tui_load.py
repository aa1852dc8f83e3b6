"""The terminal app on a 10,000-animal study: time to show the Animals screen, and to page through its table.

Builds the study once in a temporary SQLite database (synthetic roster, `import_roster`), then drives the app
headless with `App.run_test()`: opening the Animals screen (the `list_animals` call in its worker and filling
the DataTable) and pressing Page Down N times, each press followed by a repaint. Prints the figures.

    .venv/bin/python bench/tui_load.py [--animals 10000] [--pages 50]
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from textual.widgets import DataTable

from behavlab.services import StudySettings, create_study, import_roster, list_animals, open_workspace
from behavlab.tui.app import BehavlabApp
from cohorts.synth import synthetic_roster, write_roster_csv

STUDY = "bench-10k"


async def drive(app: BehavlabApp, n_animals: int, pages: int) -> tuple[float, float]:
    """Seconds to show the Animals screen filled, and seconds per Page Down with its repaint."""
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("a")
        while not (app.screen.query("#animals") and app.screen.query_one("#animals", DataTable).row_count):
            await pilot.pause()
        await pilot.pause()
        loaded = time.perf_counter() - started
        table = app.screen.query_one("#animals", DataTable)
        assert table.row_count == n_animals, table.row_count
        table.focus()
        started = time.perf_counter()
        for _ in range(pages):
            await pilot.press("pagedown")
            await pilot.pause()
        per_page = (time.perf_counter() - started) / pages
        assert table.cursor_row > 0
    return loaded, per_page


def main() -> None:
    """Build the study, then measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--animals", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = open_workspace(f"sqlite:///{Path(folder) / 'bench.sqlite'}", actor="bench")
        create_study(workspace, StudySettings(name=STUDY))
        started = time.perf_counter()
        roster = write_roster_csv(synthetic_roster(args.animals), Path(folder) / "roster.csv")
        import_roster(workspace, STUDY, roster)
        imported = time.perf_counter() - started
        started = time.perf_counter()
        list_animals(workspace, STUDY)
        listed = time.perf_counter() - started
        loaded, per_page = asyncio.run(drive(BehavlabApp(workspace), args.animals, args.pages))
        workspace.engine.dispose()
    print(f"animals: {args.animals}")
    print(f"roster import (once): {imported:.1f} s")
    print(f"list_animals service call: {listed * 1000:.0f} ms")
    print(f"Animals screen shown and filled: {loaded * 1000:.0f} ms")
    print(f"Page Down with repaint: {per_page * 1000:.1f} ms per page (mean of {args.pages})")


if __name__ == "__main__":
    main()
