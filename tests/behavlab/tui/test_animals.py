"""The studies and animals screens: create a study with the defaults, open it, import a roster, weigh at the
bench (Enter moves to the next animal), record an exclusion, show some animals sorted; errors are notices,
never crashes."""

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, Static

import behavlab.tui.screens.animals as animals_screen
from behavlab.services import (
    StudySettings,
    WeighingSummary,
    Workspace,
    create_study,
    get_study,
    import_roster,
    list_animals,
    list_events,
)
from behavlab.services.display import local_minute
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.animals import AnimalsScreen
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.widgets.row_table import RowTable
from tests.behavlab.factories import write_roster
from tests.behavlab.tui.helpers import notices, open_step, settle, table_rows, type_text


async def test_a_new_study_gets_the_lab_defaults_and_opens_on_its_dashboard(workspace: Workspace) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "bench")
        await pilot.press("ctrl+s")
        await settle(pilot)
        study = get_study(workspace, "bench").study
        assert (study.compound, study.dose_mg_per_kg, study.route, study.vehicle, study.volume_ml_per_kg) == (
            "ketamine",
            10.0,
            "ip",
            "saline",
            10.0,
        )
        assert table_rows(app.screen, "#studies") == [["bench", "ketamine", "10", "ip", "saline", "10", "0"]]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "next: import the roster" in str(app.screen.query_one("#next").render())


async def test_roster_import_quick_weights_and_an_exclusion(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="cohort"))
    roster = write_roster(tmp_path / "roster.csv", 8)
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "a")
        await settle(pilot)
        assert isinstance(app.screen, AnimalsScreen)
        await pilot.press("i")
        app.screen.query_one("#field-path", Input).value = str(roster)
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = table_rows(app.screen, "#animals")
        assert [row[0] for row in rows] == ["F001", "F002", "F003", "F004", "M001", "M002", "M003", "M004"]
        assert rows[0][1:4] == ["", "F01", "F"]
        await pilot.press("w")
        await type_text(pilot, "21.5")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "15")
        await pilot.press("enter")
        await settle(pilot)
        by_label = {a.label: a for a in list_animals(workspace, "cohort")}
        assert (by_label["F001"].last_weight_g, by_label["F002"].last_weight_g) == (21.5, 15.0)
        assert by_label["F002"].weight_loss_flag
        rows = table_rows(app.screen, "#animals")
        assert rows[0][4:] == ["21.5", ""]
        assert rows[1][4:] == ["15.0", "weight loss"]
        assert str(app.screen.query_one("#weigh-target").render()) == "weigh F003:"
        await type_text(pilot, "400")
        await pilot.press("enter")
        await settle(pilot)
        assert any("weight_g 400 for F003 not accepted" in message for message in notices(app))
        await pilot.press("escape", "x")
        await type_text(pilot, "  fight wound ")  # shown as stored, trimmed, without a reload
        await pilot.press("enter")
        await settle(pilot)
        assert by_label["F003"].exclusion_reason is None
        assert list_animals(workspace, "cohort")[2].exclusion_reason == "fight wound"
        assert table_rows(app.screen, "#animals")[2][5] == "excluded: fight wound"
        actions = [event.action for event in list_events(workspace, "cohort")]
        assert actions.count("weight.record") == 2 and "animal.exclude" in actions


async def test_a_faulty_roster_path_is_refused_in_the_dialog_and_nothing_changes(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="cohort"))
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "a")
        await settle(pilot)
        await pilot.press("i")
        form = app.screen
        form.query_one("#field-path", Input).value = str(tmp_path / "missing.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "missing.csv" in str(form.query_one("#refusal", Static).render())
        assert list_animals(workspace, "cohort") == []


async def test_the_roster_dialog_shows_and_takes_when_the_weights_were_measured(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="cohort"))
    roster = write_roster(tmp_path / "roster.csv", 4)
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "a")
        await settle(pilot)
        opened_from = local_minute(datetime.now().astimezone())
        await pilot.press("i")
        form = app.screen
        weighed_at = form.query_one("#field-weighed_at", Input)
        opened_by = local_minute(datetime.now().astimezone())
        assert weighed_at.value in {opened_from, opened_by}  # the default, shown
        form.query_one("#field-path", Input).value = str(roster)
        refusals = {"last monday": "weights measured at: 'last monday'", "2999-01-01 08:00": "up to now"}
        for typed, refused in refusals.items():
            weighed_at.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and weighed_at.value == typed
            assert refused in str(form.query_one("#refusal", Static).render())
        assert list_animals(workspace, "cohort") == []
        weighed_at.value = "2024-03-04 08:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AnimalsScreen)
        when = datetime(2024, 3, 4, 8, 30).astimezone()
        assert {animal.last_weighed_at for animal in list_animals(workspace, "cohort")} == {when}
        assert any(f"measured at {local_minute(when)}" in message for message in notices(app))


@pytest.fixture
def cohort(workspace: Workspace, tmp_path: Path) -> str:
    """A study of 8 mice (F001-F004, M001-M004, two cages) imported with their weights."""
    create_study(workspace, StudySettings(name="cohort"))
    import_roster(workspace, "cohort", write_roster(tmp_path / "roster.csv", 8))
    return "cohort"


async def test_slash_shows_the_matching_animals_sorted_and_weighing_follows_them(
    workspace: Workspace, cohort: str
) -> None:
    weights = {animal.label: animal.last_weight_g for animal in list_animals(workspace, cohort)}
    males = sorted(
        (label for label in weights if label.startswith("M")), key=lambda label: (weights[label], label)
    )
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_step(pilot, "a")
        await pilot.press("slash")
        form = app.screen
        form.query_one("#field-matching", Input).value = "m00"
        form.query_one("#field-order", Select).value = "weight"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AnimalsScreen)
        assert [row[0] for row in table_rows(app.screen, "#animals")] == males
        status = str(app.screen.query_one("#status").render())
        assert "4 animals matching 'm00'" in status and "by weight" in status
        await pilot.press("w")
        await type_text(pilot, "31.5")
        await pilot.press("enter")
        await settle(pilot)
        assert {a.label: a.last_weight_g for a in list_animals(workspace, cohort)}[males[0]] == 31.5
        assert str(app.screen.query_one("#weigh-target").render()) == f"weigh {males[1]}:", "the next shown"
        await pilot.press("escape", "slash")
        app.screen.query_one("#field-matching", Input).value = ""
        app.screen.query_one("#field-order", Select).value = "animal"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [row[0] for row in table_rows(app.screen, "#animals")] == sorted(weights)
        assert str(app.screen.query_one("#status").render()).startswith("8 animals, ")


async def test_a_weight_saved_after_its_animal_left_the_view_is_kept_and_the_bench_goes_on(
    workspace: Workspace, cohort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    saving = threading.Event()
    record_weight = animals_screen.record_weight

    def held_until_the_view_changed(*args: Any, **kwargs: Any) -> WeighingSummary:
        saving.wait(timeout=30)
        return record_weight(*args, **kwargs)

    monkeypatch.setattr(animals_screen, "record_weight", held_until_the_view_changed)
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_step(pilot, "a")
        await pilot.press("w")
        await type_text(pilot, "21.5")
        await pilot.press("enter", "escape", "slash")
        app.screen.query_one("#field-matching", Input).value = "[/x] m00"  # not read as markup
        await pilot.press("ctrl+s")
        for _ in range(200):
            await pilot.pause(0.05)
            if "matching" in str(app.screen.query_one("#status").render()):
                break
        assert "animals matching '[/x] m00'" in str(app.screen.query_one("#status").render())
        assert table_rows(app.screen, "#animals") == [], "F001 is not shown"
        saving.set()
        await settle(pilot)
        assert isinstance(app.screen, AnimalsScreen)
    assert {a.label: a.last_weight_g for a in list_animals(workspace, cohort)}["F001"] == 21.5


async def test_the_cursor_stays_on_its_animal_when_a_new_order_moves_it(
    workspace: Workspace, cohort: str
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_step(pilot, "a")
        table = app.screen.query_one("#animals", RowTable)
        moved = 0
        for order in ("weight", "cage", "animal"):
            table.move_cursor(row=4)
            await pilot.pause()
            label = table.row_key(table.cursor_row)
            await pilot.press("slash")
            app.screen.query_one("#field-order", Select).value = order
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert table.row_key(table.cursor_row) == label, order
            assert str(app.screen.query_one("#weigh-target").render()) == f"weigh {label}:"
            moved += table.cursor_row != 4
        assert moved, "some new order put the animal on another row"
