"""A scanner at the bench: a scanned label jumps to its animal on the dosing, weights, FST and SPT screens.

A USB scanner types a label's payload (or a bare code) and Enter with no pause between keys, as a balance
does; the keys are sent that way here. A scan is read by its content: its keys never land in a number field
nor fire a key binding, a mistyped check character and another study's label are refused, named.
"""

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from behavlab.services import (
    StudySettings,
    Workspace,
    add_fst_session,
    create_study,
    list_animals,
    list_events,
    record_weights,
)
from behavlab.services.scanning import scan_context
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.animals import AnimalsScreen
from behavlab.tui.screens.dosing import DosingScreen
from behavlab.tui.screens.fst import FstScreen
from behavlab.tui.widgets.bottle_grid import BottleGridScreen
from behavlab.tui.widgets.row_table import RowTable
from cohorts.blind_codes import ALPHABET
from cohorts.scan_payload import PREFIX, SEPARATOR, label_payload
from tests.behavlab.factories import baseline_weights, earlier_today, write_weights
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import notices, open_step, settle
from tests.behavlab.tui.test_fast_entry import queue_keys
from tracking.synth.videos import write_fst_video

SIZE = (140, 44)
SCANNED = 12


def payload(workspace: Workspace, study: str, code: str) -> str:
    """The text the study's label for `code` encodes, as its scanner types it."""
    return label_payload(scan_context(workspace, study).short_id, code)


def mistyped(code: str) -> str:
    """The code with another check character: a slip the check catches."""
    return code[:-1] + next(char for char in ALPHABET if char != code[-1])


def mistyped_payload(workspace: Workspace, study: str, code: str) -> str:
    """The study's label text for `code`, its check character mistyped."""
    return SEPARATOR.join((PREFIX, scan_context(workspace, study).short_id, mistyped(code)))


def dosed_codes(workspace: Workspace, study: str) -> list[str]:
    """The code of every recorded dose, in the order recorded."""
    events = [event for event in list_events(workspace, study) if event.action == "dose.record"]
    return [json.loads(event.payload)["code"] for event in events]


def cursor_cell(table: RowTable, column: int) -> str:
    """A cell of the highlighted row."""
    return str(table.get_row_at(table.cursor_row)[column])


@pytest.fixture
def weighed_today(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> RandomizedStudy:
    """The randomized study, weighed five minutes ago so that every animal can be dosed."""
    weighed = earlier_today(minutes=5)
    record_weights(
        workspace, randomized.name, write_weights(tmp_path / "today.csv", baseline_weights(24), weighed)
    )
    return randomized


async def test_twelve_scanned_labels_record_twelve_doses_each_on_its_animal(
    workspace: Workspace, weighed_today: RandomizedStudy
) -> None:
    codes = sorted(weighed_today.codes.values(), reverse=True)[:SCANNED]
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        assert isinstance(app.screen, DosingScreen)
        keys = [
            key for code in codes for key in (*payload(workspace, weighed_today.name, code), "enter", "space")
        ]
        await queue_keys(pilot, *keys)
        assert isinstance(app.screen, DosingScreen)
    assert sorted(dosed_codes(workspace, weighed_today.name)) == sorted(codes), (
        "each scanned animal dosed once"
    )


async def test_a_bare_code_typed_at_full_speed_jumps_to_its_line(
    workspace: Workspace, weighed_today: RandomizedStudy
) -> None:
    code = sorted(weighed_today.codes.values())[-1]
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        await queue_keys(pilot, *code, "enter", "space")
    assert dosed_codes(workspace, weighed_today.name) == [code]


async def test_a_mistyped_check_character_is_refused_and_nothing_is_recorded(
    workspace: Workspace, weighed_today: RandomizedStudy
) -> None:
    code = sorted(weighed_today.codes.values())[-1]
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        table = app.screen.query_one("#dosing", RowTable)
        before = table.cursor_row
        await pilot.press(*mistyped_payload(workspace, weighed_today.name, code), "enter")
        await settle(pilot)
        await pilot.press(*mistyped(code), "enter")
        await settle(pilot)
        refusals = [message for message in notices(app) if "check character" in message]
        assert len(refusals) == 2 and mistyped(code) in refusals[0]
        assert table.cursor_row == before
    assert dosed_codes(workspace, weighed_today.name) == []


async def test_another_studys_label_is_refused_naming_that_study(
    workspace: Workspace, weighed_today: RandomizedStudy
) -> None:
    create_study(workspace, StudySettings(name="pilot cohort"))
    code = sorted(weighed_today.codes.values())[0]
    other = payload(workspace, "pilot cohort", code)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        await pilot.press(*other, "enter")
        await settle(pilot)
        await pilot.press(*label_payload("DEADBEEF", code), "enter")
        await settle(pilot)
        shown = "\n".join(notices(app))
        assert (
            f"this label is from study 'pilot cohort' (study ID {other.split(':')[1]}), not 'blind'" in shown
        )
        assert "this label is from a study not in this workspace (study ID DEADBEEF)" in shown
    assert dosed_codes(workspace, weighed_today.name) == []


async def test_a_scan_into_the_weight_field_leaves_its_number_and_weighs_the_scanned_animal(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    label, code = sorted(randomized.codes.items())[5]
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "a")
        assert isinstance(app.screen, AnimalsScreen)
        before = {animal.label: animal.last_weight_g for animal in list_animals(workspace, randomized.name)}
        await pilot.press("w")
        await queue_keys(pilot, *"23", *payload(workspace, randomized.name, code), "enter")
        field = app.screen.query_one("#weigh-input", Input)
        assert field.value == "23" and field.has_focus
        assert str(app.screen.query_one("#weigh-target").render()) == f"weigh {label}:"
        await queue_keys(pilot, *code, "enter")
        assert field.value == "23", "a bare code scanned into the field leaves it too"
        after = {animal.label: animal.last_weight_g for animal in list_animals(workspace, randomized.name)}
        assert after == before, "no weight recorded from the scan's digits"
        await queue_keys(pilot, *".5", "enter")
    weights = {animal.label: animal.last_weight_g for animal in list_animals(workspace, randomized.name)}
    assert weights == {**before, label: 23.5}


async def test_a_scan_on_the_fst_screen_selects_the_animals_session(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes = [randomized.code_in_arm(0), randomized.code_in_arm(1)]
    for seed, code in enumerate(codes, start=1):
        video = tmp_path / f"swim{seed}.mp4"
        write_fst_video(video, duration_s=4, fps=5, size=(48, 32), seed=seed, latency_s=(1.0, 2.0))
        add_fst_session(workspace, randomized.name, code, video)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        table = app.screen.query_one("#sessions", RowTable)
        assert cursor_cell(table, 1) == codes[0]
        await queue_keys(pilot, *payload(workspace, randomized.name, codes[1]), "enter")
        assert isinstance(app.screen, FstScreen) and cursor_cell(table, 1) == codes[1]


async def test_a_scan_on_the_spt_screen_opens_the_bottle_grid_on_its_line_and_moves_within_it(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    first, second = sorted(randomized.codes.values())[3:5]
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "s")
        await queue_keys(pilot, *payload(workspace, randomized.name, first), "enter")
        grid = app.screen
        assert isinstance(grid, BottleGridScreen)
        cell = grid.focused
        assert isinstance(cell, Input) and cell.id == "cell-3-sucrose_side"
        await queue_keys(pilot, "tab", *"212.5", *payload(workspace, randomized.name, second), "enter")
        weight = grid.query_one("#cell-3-sucrose_start_g", Input)
        assert weight.value == "212.5", "the bottle weight typed stays as it was, without the scan's digits"
        assert grid.focused is not None and grid.focused.id == "cell-4-sucrose_side"
