"""The terminal app on a big study: time to show the Animals screen, and to page through its table.

Builds the study once in a temporary SQLite database (synthetic roster, `import_roster`), then drives the app
headless with `App.run_test()`: opening the Animals screen (the `list_animal_lines` call in its worker and
filling the table) and pressing Page Down N times, each press followed by a repaint. Prints the figures.

A Page Down is timed three ways: wall time of the press and its repaint as the test pilot drives it (which
waits until the process looks idle, a floor of its own), that floor (a key bound to nothing, same wait), and
the CPU time the app spent per press (the work a user waits for; unaffected by other processes' load).
Run each size as its own process:

    .venv/bin/python bench/tui_load.py --animals 10000 [--pages 50]
    .venv/bin/python bench/tui_load.py --animals 100000 [--database /tmp/bench-100k.sqlite]

With `--database`, the study is built in that SQLite file if it does not exist yet, and reused (not
imported again) if it does: repeated runs skip the import.
"""

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual.pilot import Pilot

from behavlab.services import (
    StudySettings,
    Workspace,
    create_study,
    get_study,
    import_roster,
    list_animals,
    open_workspace,
)
from behavlab.services.animal_table import list_animal_lines
from behavlab.services.animal_view import AnimalOrder, AnimalView
from behavlab.tui.app import BehavlabApp
from behavlab.tui.widgets.row_table import RowTable
from cohorts.roster import RosterEntry
from cohorts.sheet_files import MAX_SHEET_ROWS
from cohorts.synth import synthetic_roster, write_roster_csv

STUDY = "bench-big"
#: A key bound to nothing: pressing it measures what the test pilot itself waits per press.
UNBOUND_KEY = "f12"


@dataclass(frozen=True)
class Timings:
    """Seconds: the Animals screen filled after its key; per Page Down (wall, pilot floor, app CPU)."""

    filled: float
    page_wall: float
    pilot_floor: float
    page_cpu: float


async def drive(app: BehavlabApp, n_animals: int, pages: int) -> Timings:
    """Open the Animals screen, wait for its table to fill, then page down `pages` times."""
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("a")
        while not (app.screen.query("#animals") and app.screen.query_one("#animals", RowTable).row_count):
            await pilot.pause()
        await pilot.pause()
        filled = time.perf_counter() - started
        table = app.screen.query_one("#animals", RowTable)
        assert table.row_count == n_animals, table.row_count
        table.focus()
        floor, _ = await per_press(pilot, UNBOUND_KEY, pages)
        page_wall, page_cpu = await per_press(pilot, "pagedown", pages)
        assert table.cursor_row > 0
    return Timings(filled, page_wall, floor, page_cpu)


async def per_press(pilot: Pilot[None], key: str, presses: int) -> tuple[float, float]:
    """Mean wall and CPU seconds of pressing `key` and waiting for the repaint."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(presses):
        await pilot.press(key)
        await pilot.pause()
    return (time.perf_counter() - wall) / presses, (time.process_time() - cpu) / presses


def import_in_sheets(workspace: Workspace, roster: Sequence[RosterEntry], folder: Path) -> None:
    """Import the roster as several files, each within the row limit of one sheet."""
    per_sheet = MAX_SHEET_ROWS - 1
    for start in range(0, len(roster), per_sheet):
        sheet = write_roster_csv(roster[start : start + per_sheet], folder / f"roster-{start}.csv")
        import_roster(workspace, STUDY, sheet)


@contextmanager
def study_database(database: Path | None, n_animals: int) -> Iterator[tuple[Workspace, float | None]]:
    """A workspace holding the big study, and the seconds its import took (None: `database` reused).

    Without `database` the study lives in a temporary file; with it, a file that exists already is reused.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = database or Path(folder) / "bench.sqlite"
        reused = path.exists()
        workspace = open_workspace(f"sqlite:///{path}", actor="bench")
        imported = None
        if not reused:
            create_study(workspace, StudySettings(name=STUDY))
            started = time.perf_counter()
            import_in_sheets(workspace, synthetic_roster(n_animals), Path(folder))
            imported = time.perf_counter() - started
        held = get_study(workspace, STUDY).n_animals
        if held != n_animals:
            raise SystemExit(f"{path} holds {held} animals in {STUDY!r}, not --animals {n_animals}")
        try:
            yield workspace, imported
        finally:
            workspace.engine.dispose()


def timed_call(call: Callable[[], object]) -> float:
    """Seconds one call of `call` takes (a service call, in this process)."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    """Build the study (or reuse it), then measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--animals", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument(
        "--database", type=Path, help="SQLite file to build the study in once and reuse on later runs"
    )
    args = parser.parse_args()
    with study_database(args.database, args.animals) as (workspace, imported):
        listed = timed_call(partial(list_animals, workspace, STUDY))
        views = (AnimalView(), AnimalView(order=AnimalOrder.WEIGHT), AnimalView(matching="M125"))
        lines, by_weight, matching = (
            timed_call(partial(list_animal_lines, workspace, STUDY, v)) for v in views
        )
        timings = asyncio.run(drive(BehavlabApp(workspace), args.animals, args.pages))
    print(f"animals: {args.animals}")
    print("roster import (once): " + ("reused database" if imported is None else f"{imported:.1f} s"))
    print(f"list_animals service call (every column): {listed * 1000:.0f} ms")
    print(f"list_animal_lines service call (the screen's columns): {lines * 1000:.0f} ms")
    print(f"  sorted by last weight: {by_weight * 1000:.0f} ms; matching 'M125': {matching * 1000:.0f} ms")
    print(f"Animals screen shown and filled after its key: {timings.filled * 1000:.0f} ms")
    print(
        f"Page Down with repaint, app CPU: {timings.page_cpu * 1000:.1f} ms per page (mean of {args.pages})"
    )
    print(
        f"Page Down with repaint, wall: {timings.page_wall * 1000:.1f} ms per page, of which the test "
        f"pilot's own wait for idle (an unbound key): {timings.pilot_floor * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
