"""Big tables: a 10,000-row RowTable pages, ends and updates in place; the Animals screen and the dashboard
load once when opened; a scanned animal far down is scrolled into view, its quick weight shown in its row."""

from collections.abc import Sequence

import pytest
from textual.app import App, ComposeResult

import behavlab.tui.screens.animals as animals_screen
import behavlab.tui.screens.dashboard as dashboard_screen
from behavlab.services import Workspace
from behavlab.services.animal_table import AnimalLine
from behavlab.services.animal_view import AnimalView
from behavlab.services.study_progress import StudyProgress
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.animals import AnimalsScreen
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.widgets.row_table import RowTable, widest
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import open_step, rendered_text, settle, table_rows, type_text

N_ROWS = 10_000
COLUMNS = ("animal", "cage", "note")


class TableApp(App[None]):
    """A bare app holding one RowTable of `N_ROWS` animals."""

    def compose(self) -> ComposeResult:
        """The table, filled."""
        table = RowTable(COLUMNS, id="big")
        rows = [(f"A{index:05d}", f"C{index // 4:04d}", "") for index in range(N_ROWS)]
        table.set_rows(COLUMNS, rows, [row[0] for row in rows])
        yield table


async def test_end_home_and_page_down_move_the_cursor_over_10000_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == N_ROWS - 1
        assert any("A09999" in line for line in rendered_text(app)), "the last row is scrolled into view"
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        rows_in_view = table.scrollable_content_region.height - 1
        assert table.cursor_row == 2 * rows_in_view
        assert any(f"A{2 * rows_in_view:05d}" in line for line in rendered_text(app))
        await pilot.press("up")
        assert table.cursor_row == 2 * rows_in_view - 1


async def test_a_cell_updates_in_place_and_its_column_widens_to_fit() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        table.update_cell("A00003", "note", "excluded: [b]fight[/b] wound")
        await pilot.pause()
        assert table.get_row_at(3) == ("A00003", "C0000", "excluded: [b]fight[/b] wound")
        assert table.get_row_index("A00003") == 3
        assert any("excluded: [b]fight[/b] wound" in line for line in rendered_text(app)), (
            "shown whole, brackets as typed (not read as markup)"
        )


async def test_the_animals_screen_loads_its_cohort_once(
    workspace: Workspace, randomized: RandomizedStudy, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def counted(workspace: Workspace, study: str, view: AnimalView) -> Sequence[AnimalLine]:
        loads.append(study)
        return load_animals(workspace, study, view)

    load_animals = animals_screen.load_animals
    monkeypatch.setattr(animals_screen, "load_animals", counted)
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_step(pilot, "a")
        assert isinstance(app.screen, AnimalsScreen)
    assert loads == [randomized.name]


async def test_a_scan_far_down_the_table_scrolls_to_its_animal_and_its_weight_shows_in_its_row(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=(100, 16)) as pilot:
        await open_step(pilot, "a")
        screen = app.screen
        assert isinstance(screen, AnimalsScreen)
        table = screen.query_one("#animals", RowTable)
        label, code = max(randomized.codes.items())
        screen.jump_to(code)
        await settle(pilot)
        index = table.get_row_index(label)
        assert index == table.row_count - 1 and table.cursor_row == index
        assert any(label in line for line in rendered_text(app)), "its row is scrolled into view"
        assert str(screen.query_one("#weigh-target").render()) == f"weigh {label}:"
        await type_text(pilot, "23.5")
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(screen, "#animals")[index][4] == "23.5"
        assert table.get_row_index(label) == index


async def test_the_dashboard_loads_its_grid_once_when_opened(
    workspace: Workspace, randomized: RandomizedStudy, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def counted(workspace: Workspace, study: str) -> StudyProgress:
        loads.append(study)
        return load_progress(workspace, study)

    load_progress = dashboard_screen.study_progress
    monkeypatch.setattr(dashboard_screen, "study_progress", counted)
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert len(table_rows(app.screen, "#progress")) == len(randomized.codes)
    assert loads == [randomized.name]


def test_a_column_is_as_wide_as_its_widest_text_in_terminal_cells() -> None:
    assert widest(["M1", "M100", ""]) == 4
    assert widest(["M1", "マウス"]) == 6  # three wide characters take two cells each
    assert widest(["cage", "e\u0301e\u0301"]) == 4  # two accented letters, each a letter and a combining mark
    assert widest([]) == 0


async def test_a_cell_shows_control_characters_as_escapes_not_as_terminal_commands() -> None:
    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield RowTable(("animal", "flags"), id="table")

    app = One()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(["animal", "flags"], [("M1", "a\x1b[2Jb\nc")], ["M1"])
        table.update_cell("M1", "animal", "M\r1")
        await pilot.pause()
        assert table.get_row_at(0) == ("M\\r1", "a\\x1b[2Jb\\nc")


async def test_only_a_cell_holding_a_control_character_is_escaped_and_a_ragged_row_is_refused() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 8)):
        table = app.query_one(RowTable)
        rows = [("M1", "C1", "マウス"), ("M2", "C\x1b2", "ok"), ("M3", "C3", "")]
        table.set_rows(COLUMNS, rows, ["M1", "M2", "M3"])
        assert [table.get_row_at(index) for index in range(3)] == [
            ("M1", "C1", "マウス"),
            ("M2", "C\\x1b2", "ok"),
            ("M3", "C3", ""),
        ]
        assert table.column_widths == {"animal": 6, "cage": 6, "note": 6}
        with pytest.raises(ValueError, match="every row needs 3 cells"):
            table.set_rows(COLUMNS, [("M1", "C1")], ["M1"])
