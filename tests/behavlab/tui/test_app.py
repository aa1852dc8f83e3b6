"""The terminal app opens on the studies screen, lists what the database holds, and shows its keys on `?`."""

from textual.widgets import DataTable, Static

from behavlab.services import StudySettings, Workspace, create_study
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.help import HelpScreen
from behavlab.tui.screens.studies import StudiesScreen


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_studies_screen_lists_the_studies(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="bench-1"))
    create_study(workspace, StudySettings(name="bench-2", compound="fluoxetine", dose_mg_per_kg=20))
    app = BehavlabApp(workspace)
    async with app.run_test() as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StudiesScreen)
        rows = _cells(app.screen.query_one("#studies", DataTable))
        assert rows == [
            ["bench-1", "ketamine", "10", "ip", "saline", "10", "0"],
            ["bench-2", "fluoxetine", "20", "ip", "saline", "10", "0"],
        ]
        assert "2 studies" in str(app.screen.query_one("#status", Static).render())


async def test_refresh_picks_up_a_new_study(workspace: Workspace) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#studies", DataTable).row_count == 0
        create_study(workspace, StudySettings(name="late"))
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _cells(app.screen.query_one("#studies", DataTable))[0][0] == "late"


async def test_question_mark_lists_the_keys(workspace: Workspace) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        actions = {row[1] for row in _cells(app.screen.query_one(DataTable))}
        assert {"Refresh", "Help", "Quit"} <= actions
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StudiesScreen)
