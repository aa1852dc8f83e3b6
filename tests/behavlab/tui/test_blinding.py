"""Before unmasking no screen ties an arm to an animal (tables, labels, plots, scoring progress, notices),
and every screen lists its keys on `?`."""

from datetime import timedelta
from pathlib import Path

from textual.widgets import Input

from behavlab.services import (
    Workspace,
    add_fst_session,
    create_spt_period,
    presets_directory,
    record_dose,
    record_manual_score,
    record_spt_bottles,
)
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import STEPS
from behavlab.tui.screens.help import HelpScreen
from behavlab.tui.screens.results import BLIND_TEXT
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import notices, rendered_text, settle, table_rows, widget_text, write_bottles
from tests.behavlab.tui.test_fst_scoring import SHORT
from tracking.rules.presets import save_preset
from tracking.synth.videos import write_fst_video

STEP_KEYS = {
    "animals": "a",
    "randomize": "z",
    "dosing": "d",
    "fst": "f",
    "spt": "s",
    "unmask": "u",
    "results": "g",
    "audit": "l",
}
ARM_WORDS = ("vehicle", "ketamine", "saline")
ANIMAL_SCREENS = ("animals", "dosing", "fst", "spt", "unmask")


def _arm_in(line: str) -> bool:
    return any(word in line.casefold() for word in ARM_WORDS)


async def test_no_screen_shows_an_arm_before_unmasking(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code, other = randomized.code_in_arm(1), randomized.code_in_arm(0)
    for index, animal in enumerate((code, other)):
        video = tmp_path / f"fst{index}.mp4"
        write_fst_video(video, duration_s=20, fps=10, size=(96, 64), seed=index, latency_s=(1.0, 3.0))
        record_dose(workspace, randomized.name, animal, at=randomized.weighed_at)
        add_fst_session(workspace, randomized.name, animal, video)
    record_manual_score(workspace, randomized.name, code, 120.0, "blind scorer")
    sampling = tmp_path / "sampling.csv"
    sampling.write_text("bin,behavior\n" + "".join(f"{n},{'IC'[n % 2]}\n" for n in range(1, 49)))
    record_manual_score(workspace, randomized.name, other, None, "blind scorer", sheet=sampling)
    save_preset(SHORT, presets_directory())
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "day1", start, start + timedelta(hours=12))
    sheet = write_bottles(tmp_path / "d1.csv", [(code, "L", 200, 194.2, 200, 198.2)])
    record_spt_bottles(workspace, randomized.name, "day1", sheet)
    animals = {*randomized.codes, *randomized.codes.values()}
    app = BehavlabApp(workspace)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        dashboard = widget_text(app.screen) + rendered_text(app) + notices(app)
        assert any(name in line for line in dashboard for name in animals), "dashboard"
        assert [line for line in dashboard if _arm_in(line)] == [], "dashboard"
        for step in STEPS:
            await pilot.press(STEP_KEYS[step])
            await settle(pilot)
            assert isinstance(app.screen, STEPS[step])
            if step == "fst":  # videos at once left empty: a process pool started inside the running app
                await pilot.press("s")
                await pilot.pause()
                app.screen.query_one("#field-preset", Input).value = SHORT.name
                await pilot.press("ctrl+s")
                await settle(pilot)
                assert "2 sessions scored" in str(app.screen.query_one("#scoring-text").render())
            if step == "results":
                assert BLIND_TEXT in str(app.screen.query_one("#results-title").render())
            lines = widget_text(app.screen) + rendered_text(app) + notices(app)
            if step == "randomize":
                await pilot.press("ctrl+r")
                await settle(pilot)
                assert any("already randomized" in message for message in notices(app))
            tied = [line for line in lines if _arm_in(line) and any(name in line for name in animals)]
            assert tied == [], step
            if step in ANIMAL_SCREENS:
                assert any(name in line for line in lines for name in animals), step
                assert [line for line in lines if _arm_in(line)] == [], step
            await pilot.press("f1" if isinstance(app.focused, Input) else "question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            actions = {row[1] for row in table_rows(app.screen, "#help DataTable")}
            assert "Back" in actions and any(action.startswith("Help") for action in actions), step
            await pilot.press("escape", "escape")
            await settle(pilot)
