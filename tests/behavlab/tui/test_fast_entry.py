"""What is typed is what is recorded, however fast: a balance or a scanner types faster than a save returns.

Keys are pressed with no pause while the save of the first value is still running (the service is slowed);
each value must reach its own animal or field, exactly as typed, and a value finer than its field's
precision is refused naming the field.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest
from sqlalchemy import text
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input, Static

from behavlab.services import StudySettings, Workspace, add_fst_session, create_study, import_roster
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens import animals as animals_screen
from behavlab.tui.screens import fst as fst_screen
from behavlab.tui.screens.animals import AnimalsScreen
from tests.behavlab.factories import write_roster
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import notices, open_step, settle, table_rows
from tracking.synth.videos import write_fst_video

P = ParamSpec("P")
T = TypeVar("T")
#: Long enough that every key below is queued before the first save returns.
SLOW_SAVE_S = 0.3
#: Time for the app to take every queued key off its queue (each key is handled in well under a millisecond).
KEYS_READ_S = 0.2


def slowed(call: Callable[P, T]) -> Callable[P, T]:
    """The service call, answering only after `SLOW_SAVE_S` (it runs in a worker thread)."""

    def slow(*args: P.args, **kwargs: P.kwargs) -> T:
        time.sleep(SLOW_SAVE_S)
        return call(*args, **kwargs)

    return slow


async def queue_keys(pilot: Pilot[None], *keys: str) -> None:
    """Send every key at once, as a barcode scanner or a USB balance types: none waits for the app; then
    let the app read them all and settle."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        char = {"enter": "\r", "tab": "\t"}.get(key, key if len(key) == 1 else None)
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        event = events.Key(name, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await pilot.pause(KEYS_READ_S)
    await settle(pilot)


def _weights(workspace: Workspace) -> list[tuple[str, float]]:
    """Every recorded weight: animal label and grams, in the order recorded."""
    query = "SELECT animal.label, weight.weight_g FROM weight JOIN animal ON animal.id = weight.animal_id"
    with workspace.engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(text(query + " ORDER BY weight.id"))]


def _manual_scores(workspace: Workspace) -> list[tuple[float | None, float | None]]:
    """Every manual score: seconds immobile and latency."""
    query = "SELECT immobility_s, latency_s FROM immobilityscore WHERE method = 'manual' ORDER BY id"
    with workspace.engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(text(query))]


async def test_quick_weights_typed_fast_each_go_to_their_own_animal(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_study(workspace, StudySettings(name="bench"))
    import_roster(workspace, "bench", write_roster(tmp_path / "roster.csv", 8, with_weights=False))
    monkeypatch.setattr(animals_screen, "record_weight", slowed(animals_screen.record_weight))
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "a")
        await settle(pilot)
        assert isinstance(app.screen, AnimalsScreen)
        await pilot.press("w")
        await queue_keys(pilot, *"18.5", "enter", *"20.5", "enter", *"19.5", "enter")
        assert _weights(workspace) == [("F001", 18.5), ("F002", 20.5), ("F003", 19.5)]
        rows = table_rows(app.screen, "#animals")
        assert [row[4] for row in rows[:4]] == ["18.5", "20.5", "19.5", ""]
        assert str(app.screen.query_one("#weigh-target").render()) == "weigh F004:"


async def test_a_weight_finer_than_the_balance_precision_is_refused_naming_the_field(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="bench"))
    import_roster(workspace, "bench", write_roster(tmp_path / "roster.csv", 4, with_weights=False))
    app = BehavlabApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "a")
        await settle(pilot)
        await pilot.press("w", *"18.5205195", "enter")
        await settle(pilot)
        assert _weights(workspace) == []
        refusal = next(message for message in notices(app) if "18.5205195" in message)
        assert "F001" in refusal and "finer than 0.1 g" in refusal
        assert str(app.screen.query_one("#weigh-target").render()) == "weigh F001:"


@pytest.fixture
def one_session(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> str:
    """One animal with a short swim video; its code."""
    code = randomized.code_in_arm(0)
    video = tmp_path / "swim.mp4"
    write_fst_video(video, duration_s=4, fps=5, size=(48, 32), seed=1, latency_s=(1.0, 2.0))
    add_fst_session(workspace, randomized.name, code, video)
    return code


async def test_manual_score_fields_typed_fast_keep_their_own_values(
    workspace: Workspace, one_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fst_screen, "record_manual_score", slowed(fst_screen.record_manual_score))
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_step(pilot, "f")
        await pilot.press("m")
        await settle(pilot)
        await queue_keys(pilot, *"30.5", "tab", "tab", *"12", "ctrl+s")
        assert _manual_scores(workspace) == [(30.5, 12.0)]
        assert "manual 30.5" in table_rows(app.screen, "#sessions")[0][6]


async def test_manual_seconds_finer_than_a_tenth_are_refused_and_the_dialog_keeps_them(
    workspace: Workspace, one_session: str
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_step(pilot, "f")
        await pilot.press("m", *"30.512", "ctrl+s")
        await settle(pilot)
        assert _manual_scores(workspace) == []
        refusal = str(app.screen.query_one("#refusal", Static).render())
        assert "seconds immobile" in refusal and "finer than 0.1 s" in refusal
        assert app.screen.query_one("#field-immobility_s", Input).value == "30.512"
