"""Entry grids typed fast: a 48-bin time-sampling sheet and a period's bottle weights (issue 14, defect 6).

Every key is queued at once while the save is slowed, as a scanner or a fast rater types; each cell is checked
as Enter commits it, a refused cell keeps the focus (so nothing after it lands in the wrong cell) and is
named with what is accepted, and what is stored is exactly what was typed.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from textual.widgets import Label, Static

from behavlab.services import (
    Workspace,
    add_fst_session,
    create_spt_period,
    record_manual_score,
    record_typed_spt_bottles,
)
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens import fst as fst_screen
from behavlab.tui.screens import spt as spt_screen
from behavlab.tui.widgets.bottle_grid import BottleGridScreen, cell_id
from behavlab.tui.widgets.entry_input import EntryInput
from behavlab.tui.widgets.sampling_grid import SamplingGridScreen
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import open_step, settle, widget_text
from tests.behavlab.tui.test_blinding import ARM_WORDS
from tests.behavlab.tui.test_fast_entry import queue_keys, slowed
from tracking.synth.videos import write_fst_video

BIN_CODES = ["s"] * 10 + ["C"] * 6 + ["i"] * 32


def _stored(workspace: Workspace, query: str) -> list[tuple[object, ...]]:
    with workspace.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def _refusal(app: BehavlabApp) -> str:
    return str(app.screen.query_one("#refusal", Static).render())


@pytest.fixture
def swim_code(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> str:
    """One animal with a short swim video; its code."""
    code = randomized.code_in_arm(0)
    video = tmp_path / "swim.mp4"
    write_fst_video(video, duration_s=4, fps=5, size=(48, 32), seed=1, latency_s=(1.0, 2.0))
    add_fst_session(workspace, randomized.name, code, video)
    return code


async def test_48_bins_typed_fast_are_stored_bin_by_bin_as_typed(
    workspace: Workspace, swim_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fst_screen, "record_manual_score", slowed(record_manual_score))
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_step(pilot, "f")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, SamplingGridScreen)
        keys = [key for code in BIN_CODES for key in (*code, "enter")]
        await queue_keys(pilot, *keys, *"19.5", "enter", "enter")
        assert not isinstance(app.screen, SamplingGridScreen)
    ((seconds, latency, parameters, counts),) = _stored(
        workspace, "SELECT immobility_s, latency_s, parameters, time_sampling FROM immobilityscore"
    )
    assert (seconds, latency) == (160.0, 19.5)
    assert json.loads(str(parameters))["time_sampling"]["typed"] == BIN_CODES
    assert json.loads(str(counts)) == {"immobile": 32, "swimming": 10, "climbing": 6}


async def test_a_refused_bin_is_named_keeps_the_focus_and_nothing_is_stored(
    workspace: Workspace, swim_code: str
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_step(pilot, "f")
        await pilot.press("t")
        await settle(pilot)
        await queue_keys(pilot, "i", "enter", "x", "enter")
        refusal = _refusal(app)
        assert "bin 2: 'x' is not a known behavior" in refusal
        assert "accepted: immobile, swimming or climbing (or I, S, C)" in refusal
        await queue_keys(pilot, "s", "enter")  # typed on: it stays in the refused cell, never in bin 3
        assert app.focused is app.screen.query_one("#bin-2", EntryInput)
        assert app.screen.query_one("#bin-3", EntryInput).value == ""
        await queue_keys(pilot, "ctrl+s")
        assert isinstance(app.screen, SamplingGridScreen)
        assert "bin 2: 'xs'" in _refusal(app) and "bin 3: ''" in _refusal(app)
        assert app.screen.query_one("#bin-1", EntryInput).value == "i"
    assert _stored(workspace, "SELECT id FROM immobilityscore") == []


@pytest.fixture
def period(workspace: Workspace, randomized: RandomizedStudy) -> str:
    """A declared SPT period without bottles; its label."""
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "day1", start, start + timedelta(hours=12))
    return "day1"


async def test_bottle_weights_typed_fast_are_stored_as_the_sheet_typed(
    workspace: Workspace, randomized: RandomizedStudy, period: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spt_screen, "record_typed_spt_bottles", slowed(record_typed_spt_bottles))
    first, second = sorted(randomized.codes.values())[:2]
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 50)) as pilot:
        await open_step(pilot, "s")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, BottleGridScreen)
        labels = [str(label.render()) for label in app.screen.query("#bottle-lines Label").results(Label)]
        assert labels == [*sorted(randomized.codes.values()), "control", "control"]
        assert not [line for line in widget_text(app.screen) if any(w in line.casefold() for w in ARM_WORDS)]
        rows = [("L", "200", "194.2", "200", "198.2"), ("r", "200", "197.55", "200", "196")]
        keys = [key for row in rows for cell in row for key in (*cell, "enter")]
        await queue_keys(pilot, "enter", *keys, "ctrl+s")
        assert not isinstance(app.screen, BottleGridScreen)
    ((name, content),) = _stored(workspace, "SELECT file_name, content FROM sptsheetfile")
    assert name == "typed in behavlab.csv"
    assert bytes(content).decode().splitlines() == [
        "code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g",
        f"{first},L,200,194.2,200,198.2",
        f"{second},r,200,197.55,200,196",
    ]
    readings = _stored(workspace, "SELECT sucrose_side, sucrose_ml, water_ml FROM sptreading ORDER BY id")
    assert readings == [("L", pytest.approx(5.8), pytest.approx(1.8)), ("R", pytest.approx(2.45), 4.0)]


async def test_a_refused_bottle_cell_names_its_code_and_column_and_nothing_is_stored(
    workspace: Workspace, randomized: RandomizedStudy, period: str
) -> None:
    first = sorted(randomized.codes.values())[0]
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 50)) as pilot:
        await open_step(pilot, "s")
        await pilot.press("t")
        await settle(pilot)
        await queue_keys(pilot, "enter", "L", "enter", *"200.123", "enter", *"194", "enter")
        refusal = _refusal(app)
        assert f"{first}, sucrose_start_g: '200.123194' is finer than 0.01 g" in refusal
        assert app.focused is app.screen.query_one(f"#{cell_id(0, 'sucrose_start_g')}", EntryInput)
        assert app.screen.query_one(f"#{cell_id(0, 'sucrose_end_g')}", EntryInput).value == ""
        await queue_keys(pilot, "ctrl+s")
        assert isinstance(app.screen, BottleGridScreen)
        assert f"typed in behavlab.csv ({first}), row 2, sucrose_start_g" in _refusal(app)
    assert _stored(workspace, "SELECT id FROM sptsheetfile") == []
