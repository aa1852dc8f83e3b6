"""Driving the terminal app in tests: settle its workers, read what its widgets and notices show."""

import html
import random
import re
from collections.abc import Callable, Collection, Coroutine, Iterable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual_plotext import PlotextPlot

from behavlab.services import open_workspace
from behavlab.tui.widgets.row_table import RowTable
from cohorts.blind_codes import ALPHABET, DATA_LENGTH, check_character


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker (and any worker its result started) has finished and the screen refreshed.

    Tables are laid out too: a DataTable sizes its columns to new rows when idle, and on a busy machine a
    column can stay as narrow as its label; its widest cell is then set again, which sizes the column.
    """
    for _ in range(10):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            break
    for _ in range(10):
        narrow = [table for table in pilot.app.screen.query(DataTable) if _fit_columns(table)]
        if not narrow:
            return
        await pilot.pause(0.05)


def _fit_columns(table: DataTable[Any]) -> bool:
    """Set again the widest cell of each column narrower than it; whether there was any."""
    refitted = False
    for row_key in table.rows:
        for column_key, column in table.columns.items():
            cell = table.get_cell(row_key, column_key)
            if len(str(cell)) > column.content_width:
                table.update_cell(row_key, column_key, cell, update_width=True)
                refitted = True
    return refitted


async def open_step(pilot: Pilot[None], key: str) -> None:
    """From the studies screen: open the first study, then the step behind `key`."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type into the focused widget, one key at a time."""
    await pilot.press(*text)


def write_bottles(path: Path, rows: list[tuple[str, str, float, float, float, float]]) -> Path:
    """An SPT bottle sheet: code, side, sucrose and water bottle weights before and after."""
    lines = ["code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def table_rows(screen: Screen[None], selector: str) -> list[list[str]]:
    """Every row of a table (a DataTable or a RowTable) as text cells."""
    table = screen.query_one(selector, DataTable | RowTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def widget_text(screen: Screen[None]) -> list[str]:
    """What the screen's widgets hold as text lines: every table row (also off-screen), labels, plots
    (title and axis labels), inputs."""
    lines: list[str] = []
    for widget in screen.query("*"):
        if isinstance(widget, DataTable | RowTable):
            lines += [" | ".join(str(c) for c in widget.get_row_at(i)) for i in range(widget.row_count)]
        elif isinstance(widget, Static | PlotextPlot):
            lines += str(widget.render()).splitlines()
        elif isinstance(widget, Input) and not widget.password:
            lines.append(widget.value)
    return lines


def rendered_text(app: App[None]) -> list[str]:
    """The visible terminal as text lines, from Textual's own SVG screenshot."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return [html.unescape(re.sub(r"<[^>]+>", "", line)).replace("\xa0", " ") for line in lines]


async def every_step_screen_text(url: str, actor: str, step_keys: Iterable[str]) -> list[str]:
    """Open the first study in the terminal app, then each step screen in turn: every line each one shows."""
    from behavlab.tui.app import BehavlabApp

    workspace = open_workspace(url, actor=actor)
    app_ = BehavlabApp(workspace)
    lines: list[str] = []
    async with app_.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for key in step_keys:
            await pilot.press(key)
            await settle(pilot)
            lines += widget_text(app_.screen) + rendered_text(app_) + notices(app_)
            await pilot.press("escape")
            await settle(pilot)
    workspace.engine.dispose()
    return lines


def notices(app: App[None]) -> list[str]:
    """The messages of the notifications currently shown."""
    return [notification.message for notification in app._notifications]


#: What `snap_compare` runs before it takes the picture.
RunBefore = Callable[[Pilot[None]], Coroutine[Any, Any, None]]


def navigate(*keys: str) -> RunBefore:
    """Settle, mask the database path, then press the keys, settling after each."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#location", Static).update("Database: (test database)")
        pilot.app.sub_title = "(version)"
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def reproducible_codes(n: int, existing: Collection[str] = ()) -> list[str]:
    """Valid blind codes drawn from a fixed seed, so the screens look the same in every run."""
    draws = random.Random(7)
    codes: list[str] = []
    while len(codes) < n:
        data = "".join(draws.choice(ALPHABET) for _ in range(DATA_LENGTH))
        code = data + check_character(data)
        if code not in existing and code not in codes:
            codes.append(code)
    return codes
