"""The FST screen's add-session dialog takes the animal's test start (s of video); the table shows it."""

from pathlib import Path

from textual.widgets import Input, Static

from behavlab.services import Workspace, list_fst_sessions
from behavlab.services.fst_starts import SessionStart
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.fst import COLUMNS, FstScreen
from behavlab.tui.widgets.form import FormScreen
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import open_step, settle, table_rows
from tracking.synth.videos import write_fst_video

SIZE = (160, 44)


async def test_the_add_dialog_enters_a_test_start_and_refuses_one_past_the_video(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    video = write_fst_video(tmp_path / "fst.mp4", duration_s=2, fps=10, size=(96, 64)).video
    code = randomized.code_in_arm(0)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        values = {"code": code, "video": str(video), "start_s": "5"}
        for name, value in values.items():
            form.query_one(f"#field-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        refusal = " ".join(str(form.query_one("#refusal", Static).render()).split())
        assert "test start 5 s is not within video fst.mp4, which is 2.0 s long" in refusal
        form.query_one("#field-start_s", Input).value = "1.5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FstScreen)
        (row,) = table_rows(app.screen, "#sessions")
        assert row[COLUMNS.index("test start")] == "1.5 s entered"
    (view,) = list_fst_sessions(workspace, randomized.name)
    assert view.start == SessionStart(1.5, "entered")
