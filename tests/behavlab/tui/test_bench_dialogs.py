"""At the bench: the dashboard counts the dosing day and follows changes, dialogs keep what was typed on a
refusal, a session takes its test time, a second injection asks first, a randomized study shows its record."""

from datetime import datetime, timedelta
from pathlib import Path

from textual.widgets import Input, Static

from behavlab.services import (
    Workspace,
    add_fst_session,
    fst_outcomes,
    list_events,
    list_fst_sessions,
    record_dose,
    record_weights,
    unmask_study,
)
from behavlab.services.display import local_minute
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import CHANGE_POLL_S, UNMASKED_TEXT
from behavlab.tui.screens.fst import FstScreen
from behavlab.tui.widgets.form import FormScreen
from behavlab.tui.widgets.row_table import RowTable
from tests.behavlab.factories import baseline_weights, earlier_today, write_weights
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tests.behavlab.tui.helpers import notices, open_step, settle, type_text
from tracking.synth.videos import write_fst_video

SIZE = (140, 44)


def _state(app: BehavlabApp) -> str:
    return "\n".join(str(app.screen.query_one(part, Static).render()) for part in ("#timeline", "#next"))


async def test_the_dashboard_counts_the_dosing_day_and_follows_changes_made_elsewhere(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    dosed_at = randomized.weighed_at + timedelta(hours=1)  # yesterday, the study's dosing day
    record_dose(workspace, randomized.name, randomized.code_in_arm(0), at=dosed_at)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert f"dosing day {dosed_at.astimezone().date().isoformat()}: 1/24 dosed" in _state(app)
        assert UNMASKED_TEXT not in _state(app)
        unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="unmasked from the command line")
        await pilot.pause(CHANGE_POLL_S + 0.5)
        await settle(pilot)
        assert UNMASKED_TEXT in _state(app)


async def test_the_fst_columns_fit_their_cells_as_soon_as_the_rows_change(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    video = write_fst_video(
        tmp_path / "a-long-video-file-name.mp4", duration_s=1, fps=10, size=(96, 64)
    ).video
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        screen = app.screen
        assert isinstance(screen, FstScreen)
        add_fst_session(workspace, randomized.name, randomized.code_in_arm(0), video)
        loaded = (list_fst_sessions(workspace, randomized.name), fst_outcomes(workspace, randomized.name))
        screen._show(loaded)  # what a refresh does, checked before the table has had an idle moment
        table = screen.query_one("#sessions", RowTable)
        for (column, width), cell in zip(table.column_widths.items(), table.get_row_at(0), strict=True):
            if column != "immobile s":
                assert width >= len(cell), column


async def test_add_session_takes_the_test_time_and_a_refusal_keeps_the_dialog(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(1)
    dosed_at = randomized.weighed_at + timedelta(hours=1)
    record_dose(workspace, randomized.name, code, at=dosed_at)
    video = write_fst_video(tmp_path / "fst.mp4", duration_s=1, fps=10, size=(96, 64)).video
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        opened_from = datetime.now()
        await pilot.press("a")
        await settle(pilot)
        opened_by = datetime.now()
        form = app.screen
        assert isinstance(form, FormScreen)
        tested_at = form.query_one("#field-tested_at", Input)
        assert tested_at.value in {
            f"{opened_from:%Y-%m-%d %H:%M}",
            f"{opened_by:%Y-%m-%d %H:%M}",
        }  # now, shown
        await type_text(pilot, code)
        form.query_one("#field-video", Input).value = str(tmp_path / "missing.mp4")
        tested_at.value = f"{dosed_at + timedelta(hours=2):%Y-%m-%d %H:%M}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "the refused dialog stays open"
        assert form.query_one("#field-code", Input).value == code
        refusal = form.query_one("#refusal", Static)
        assert refusal.display and "missing.mp4" in str(refusal.render())
        form.query_one("#field-video", Input).value = str(video)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FstScreen)
        (view,) = list_fst_sessions(workspace, randomized.name)
        assert view.hours_post_dose == 2.0
        assert app.screen.query_one("#sessions", RowTable).get_row_at(0)[5] == "2.0"


async def test_a_second_injection_asks_first_naming_the_earlier_dose(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    weighed = earlier_today(minutes=5)
    record_weights(
        workspace, randomized.name, write_weights(tmp_path / "today.csv", baseline_weights(24), weighed)
    )
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        code = str(app.screen.query_one("#dosing", RowTable).get_row_at(0)[0])
        await pilot.press("space")
        await settle(pilot)
        (first,) = [e for e in list_events(workspace, randomized.name) if e.action == "dose.record"]
        app.screen.query_one("#dosing", RowTable).move_cursor(row=0)
        await pilot.press("space")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen), "a second injection needs a confirmation"
        note = " ".join(str(s.render()) for s in form.query(Static))
        assert code in note and f"already dosed on {local_minute(first.at)}" in note
        assert len([e for e in list_events(workspace, randomized.name) if e.action == "dose.record"]) == 1
        await type_text(pilot, "leaked at the injection site")
        await pilot.press("enter")
        await settle(pilot)
        doses = [e for e in list_events(workspace, randomized.name) if e.action == "dose.record"]
        assert len(doses) == 2 and "leaked at the injection site" in doses[1].payload
        assert not any("--again" in message for message in notices(app))


async def test_a_randomized_study_shows_its_record_and_no_form(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "z")
        record = app.screen.query_one("#recorded", Static)
        text = str(record.render())
        assert record.display and "randomization 1: " in text and "by tester" in text
        assert "24 animals in 2 arms" in text and "committed" in text
        assert not app.screen.query_one("#randomize-options").display
        assert not app.screen.query_one("#balance").display and not app.screen.query_one("#seal").display
        assert "arm 1" not in text and "SMD" not in text
