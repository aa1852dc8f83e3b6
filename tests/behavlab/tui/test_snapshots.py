"""Snapshots of the main screens on a fixed study (fixed roster, seed and terminal; volatile text masked)."""

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from behavlab.services import StudySettings, Workspace, create_study, import_roster
from behavlab.tui.app import BehavlabApp
from tests.behavlab.factories import write_roster
from tests.behavlab.tui.conftest import settle, type_text

SIZE = (120, 36)


@pytest.fixture
def app(sqlite_workspace: Workspace, tmp_path: Path) -> BehavlabApp:
    """The app on one study of 24 weighed mice."""
    create_study(sqlite_workspace, StudySettings(name="snapshot"))
    import_roster(sqlite_workspace, "snapshot", write_roster(tmp_path / "roster.csv", 24))
    return BehavlabApp(sqlite_workspace)


def navigate(*keys: str) -> Any:
    """Settle, mask the database path, then press the keys, settling after each."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#location", Static).update("Database: (test database)")
        pilot.app.sub_title = "(version)"
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize(
    ("name", "keys"), [("studies", ()), ("dashboard", ("enter",)), ("animals", ("enter", "a"))]
)
def test_screen_snapshot(app: BehavlabApp, snap_compare: Any, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=navigate(*keys))


def test_randomize_preview_snapshot(app: BehavlabApp, snap_compare: Any) -> None:
    async def preview(pilot: Pilot[None]) -> None:
        await navigate("enter", "z")(pilot)
        pilot.app.screen.query_one("#seed", Input).focus()
        await type_text(pilot, "2024")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=preview)
