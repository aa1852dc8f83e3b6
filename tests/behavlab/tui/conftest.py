"""Driving the terminal app in tests: settle its workers, read what its widgets show, reuse the services'
randomized study."""

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual_plotext import PlotextPlot

from behavlab.services import Workspace, open_workspace
from tests.behavlab.services.conftest import FAST_KDF, PASSPHRASE, RandomizedStudy, randomized

__all__ = ["FAST_KDF", "PASSPHRASE", "RandomizedStudy", "randomized"]


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker (and any worker its result started) has finished and the screen refreshed."""
    for _ in range(10):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return


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
    """Every row of a DataTable as text cells."""
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def widget_text(screen: Screen[None]) -> list[str]:
    """What the screen's widgets hold as text lines: every table row (also off-screen), labels, plots
    (title and axis labels), inputs."""
    lines: list[str] = []
    for widget in screen.query("*"):
        if isinstance(widget, DataTable):
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


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A SQLite workspace for snapshots (one image per test, whatever the backends in the run)."""
    opened = open_workspace(f"sqlite:///{tmp_path / 'snap.sqlite'}", actor="tester")
    yield opened
    opened.engine.dispose()
