"""The bench timer on the FST screen: animals assigned to tanks by code or lab ID (codes shown), the camera
and each mouse marked with the fake clock's time and saved at once, a 6-minute countdown per tank with a bell
at 2 and 6 minutes."""

from datetime import UTC, datetime, timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from behavlab.services import Workspace, list_bench_marks
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.bench_timer import BenchTimerScreen
from behavlab.tui.widgets.bench_timer import minutes_seconds
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui import test_step_snapshots
from tests.behavlab.tui.helpers import navigate, notices, open_step, settle, widget_text

#: The coded study of the step snapshots, with its reproducible codes.
coded = test_step_snapshots.coded
START = datetime(2026, 3, 4, 10, 2, 3, tzinfo=UTC)
#: The snapshot's start in local time, so its clock reads the same on every machine.
SNAPSHOT_START = datetime(2026, 3, 4, 10, 2, 3).astimezone()
SIZE = (140, 40)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def _open_timer(pilot: Any, clock: FakeClock) -> BenchTimerScreen:
    await open_step(pilot, "f")
    await pilot.press("b")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BenchTimerScreen)
    screen.clock = clock
    return screen


async def _assign(pilot: Any, typed: dict[str, str]) -> None:
    await pilot.press("a")
    await settle(pilot)
    for tank, text in typed.items():
        pilot.app.screen.query_one(f"#field-{tank}", Input).value = text
    await pilot.press("ctrl+s")
    await settle(pilot)


def _tank(screen: BenchTimerScreen, tank: str) -> str:
    return str(screen.query_one(f"#tank-{tank}").render())


async def test_marks_countdown_and_cues(workspace: Workspace, randomized: RandomizedStudy) -> None:
    first = randomized.code_in_arm(0)
    second_label, second = next(
        (label, code) for label, code in sorted(randomized.codes.items()) if code != first
    )
    clock = FakeClock(START)
    app = BehavlabApp(workspace)
    bells: list[None] = []
    async with app.run_test(size=SIZE) as pilot:
        app.bell = lambda: bells.append(None)  # type: ignore[method-assign]
        screen = await _open_timer(pilot, clock)
        await _assign(pilot, {"1": first, "2": second_label})
        assert second in _tank(screen, "2") and second_label not in "\n".join(widget_text(screen))
        await pilot.press("c")
        await settle(pilot)
        clock.advance(10)
        await pilot.press("1")
        await settle(pilot)
        clock.advance(15)
        await pilot.press("2")
        await settle(pilot)
        clock.advance(60)
        screen.tick()
        assert "in water 01:15, 04:45 left" in _tank(screen, "1") and "scored window in 00:45" in _tank(
            screen, "1"
        )
        assert not bells
        clock.advance(50)
        screen.tick()
        assert "SCORED WINDOW 2-6 min" in _tank(screen, "1") and "scored window in 00:10" in _tank(
            screen, "2"
        )
        assert screen.query_one("#tank-1").has_class("scored") and len(bells) == 1
        await pilot.pause()
        assert any("tank 1" in n and "scored window begins" in n for n in notices(app))
        clock.advance(240)
        screen.tick()
        screen.tick()
        assert "TEST OVER 06:05" in _tank(screen, "1") and screen.query_one("#tank-1").has_class("over")
        assert len(bells) == 3
        await pilot.press("o", "1")
        await settle(pilot)
        assert "06:05 in water" in _tank(screen, "1")
    marks = list_bench_marks(workspace, randomized.name)
    assert [(m.kind, m.code, m.tank, m.at) for m in marks] == [
        ("camera started", None, None, START),
        ("mouse in", first, "1", START + timedelta(seconds=10)),
        ("mouse in", second, "2", START + timedelta(seconds=25)),
        ("mouse out", first, "1", START + timedelta(seconds=375)),
    ]
    assert {m.camera_mark_id for m in marks[1:]} == {marks[0].id}


async def test_reopened_timer_shows_the_saved_marks(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(1)
    clock = FakeClock(START)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_timer(pilot, clock)
        await _assign(pilot, {"3": code})
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("escape", "b")
        await settle(pilot)
        reopened = pilot.app.screen
        assert isinstance(reopened, BenchTimerScreen) and reopened is not screen
        reopened.clock = clock
        clock.advance(30)
        reopened.tick()
        assert code in _tank(reopened, "3") and "in water 00:30, 05:30 left" in _tank(reopened, "3")


async def test_refusals_keep_the_form_and_unassigned_tanks(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_timer(pilot, FakeClock(START))
        await _assign(pilot, {"1": "NOPE"})
        assert pilot.app.screen is not screen
        assert any("no animal with lab ID or blind code 'NOPE'" in n for n in notices(app))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "tank 4 has no animal: press a to assign one" in widget_text(screen)
    assert list_bench_marks(workspace, randomized.name) == []


def test_bench_timer_snapshot(sqlite_workspace: Workspace, coded: list[str], snap_compare: Any) -> None:
    """Tank 1 in its scored window, tank 2 before it, tank 3 waiting for its mouse, tank 4 empty."""
    clock = FakeClock(SNAPSHOT_START)

    async def run_before(pilot: Pilot[None]) -> None:
        await navigate("enter")(pilot)
        screen = await _open_timer(pilot, clock)
        await _assign(pilot, {"1": coded[0], "2": coded[1], "3": coded[2]})
        await pilot.press("c")
        await settle(pilot)
        clock.advance(8)
        await pilot.press("1")
        await settle(pilot)
        clock.advance(41)
        await pilot.press("2")
        await settle(pilot)
        clock.advance(95)
        screen.tick()
        await settle(pilot)

    assert snap_compare(BehavlabApp(sqlite_workspace), terminal_size=SIZE, run_before=run_before)


def test_time_gone_rounds_down_and_the_countdown_up_so_they_make_six_minutes() -> None:
    assert minutes_seconds(3.4) == "00:03"
    assert minutes_seconds(356.6, countdown=True) == "05:57"
    assert minutes_seconds(120.0, countdown=True) == "02:00"
    assert minutes_seconds(-0.5, countdown=True) == "00:00"
