"""Scoring the study's FST videos from the FST screen: a thread worker reports progress into a bar, stores
an ImmobilityScore per session, refreshes the immobility shown, and names each failed code in a notice;
manual scores also come from a 5-s time-sampling sheet."""

import re
from pathlib import Path

import pytest
from sqlalchemy import text
from textual.widgets import Input, ProgressBar
from textual_plotext import PlotextPlot

from behavlab.services import Workspace, add_fst_session, list_fst_sessions, presets_directory
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.fst import FstScreen
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import notices, open_step, settle, table_rows, type_text
from tracking.rules.presets import ScoringParams, save_preset
from tracking.synth.videos import write_fst_video

SIZE = (140, 44)
SHORT = ScoringParams(
    name="fst_short", method="motion", window_start_s=0.0, window_end_s=20.0, test_duration_s=20.0, bin_s=5.0
)


def _scores(workspace: Workspace) -> dict[int, tuple[str, float | None, str]]:
    """ImmobilityScore rows by session: method, seconds immobile, per-minute JSON."""
    with workspace.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT session_id, method, immobility_s, per_minute FROM immobilityscore ORDER BY id")
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


@pytest.fixture
def three_sessions(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> list[str]:
    """Three animals with a 20-s swim video each; the third video is edited after its session was recorded."""
    codes = [randomized.code_in_arm(0), randomized.code_in_arm(1)]
    codes.append(next(code for code in sorted(randomized.codes.values()) if code not in codes))
    for index, code in enumerate(codes):
        video = tmp_path / f"swim{index}.mp4"
        write_fst_video(
            video,
            duration_s=20,
            fps=10,
            size=(96, 64),
            seed=index,
            immobile_fraction=0.3 + 0.3 * index,
            latency_s=(1.0, 3.0),
        )
        add_fst_session(workspace, randomized.name, code, video)
    with (tmp_path / "swim2.mp4").open("ab") as handle:
        handle.write(b"edited after the test")
    save_preset(SHORT, presets_directory())
    return codes


async def _score(pilot, preset: str) -> None:  # type: ignore[no-untyped-def]
    """Press s, fill the form (preset, one job) and start."""
    await pilot.press("s")
    await pilot.pause()
    form = pilot.app.screen
    form.query_one("#field-preset", Input).value = preset
    form.query_one("#field-jobs", Input).value = "1"
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_scoring_runs_in_a_worker_with_progress_and_stores_one_score_per_session(
    workspace: Workspace, randomized: RandomizedStudy, three_sessions: list[str]
) -> None:
    first, second, edited = three_sessions
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        assert isinstance(app.screen, FstScreen)
        assert [row[6] for row in table_rows(app.screen, "#sessions")] == ["-", "-", "-"]
        await _score(pilot, SHORT.name)
        sessions = {view.code: view for view in list_fst_sessions(workspace, randomized.name)}
        stored = _scores(workspace)
        assert set(stored) == {sessions[first].id, sessions[second].id}
        assert all(method == "motion" and seconds is not None for method, seconds, _ in stored.values())
        rows = {row[1]: row for row in table_rows(app.screen, "#sessions")}
        for code in (first, second):
            assert rows[code][6] == f"motion {stored[sessions[code].id][1]:.1f}"
        assert rows[edited][6] == "-"
        text_line = str(app.screen.query_one("#scoring-text").render())
        assert re.fullmatch(
            r"done: 2 sessions scored, 0 already, 1 failed; 2/2 videos, [\d,]+ frames/s", text_line
        )
        assert app.screen.query_one("#scoring-bar", ProgressBar).percentage == 1.0
        assert any(
            message.startswith(f"{edited}: video swim2.mp4 changed since the session was recorded")
            for message in notices(app)
        )
        assert "3 sessions, 2 scored" in str(app.screen.query_one("#status").render())
        app.screen.query_one("#sessions").move_cursor(row=list(rows).index(first))
        await pilot.pause()
        plot = app.screen.query_one("#minutes", PlotextPlot)
        assert f"{first}: seconds immobile per minute" in plot.render().plain

        await _score(pilot, SHORT.name)
        assert _scores(workspace) == stored
        assert "done: 0 sessions scored, 2 already, 1 failed" in str(
            app.screen.query_one("#scoring-text").render()
        )


async def test_an_unknown_preset_is_a_notice_and_the_screen_can_score_again(
    workspace: Workspace, randomized: RandomizedStudy, three_sessions: list[str]
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        await _score(pilot, "no_such_preset")
        assert any("no_such_preset" in message for message in notices(app))
        assert "scoring stopped" in str(app.screen.query_one("#scoring-text").render())
        assert _scores(workspace) == {}
        await _score(pilot, SHORT.name)
        assert len(_scores(workspace)) == 2


async def test_a_time_sampling_sheet_is_a_manual_score(
    workspace: Workspace, randomized: RandomizedStudy, three_sessions: list[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "sampling.csv"
    sheet.write_text("bin,behavior\n" + "".join(f"{n},{'I' if n % 2 else 'S'}\n" for n in range(1, 49)))
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        highlighted = table_rows(app.screen, "#sessions")[0][1]
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#field-sheet", Input).value = str(sheet)
        await pilot.press("ctrl+s")
        await settle(pilot)
        ((method, seconds, _),) = _scores(workspace).values()
        assert (method, seconds) == ("manual", 120.0)
        assert table_rows(app.screen, "#sessions")[0][1::5] == [highlighted, "manual 120.0"]
        await pilot.press("m")
        await type_text(pilot, "100")
        app.screen.query_one("#field-sheet", Input).value = str(sheet)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("not both" in message for message in notices(app))
        assert len(_scores(workspace)) == 1


async def test_a_data_folder_that_cannot_be_written_is_a_notice_not_a_crash(
    workspace: Workspace, randomized: RandomizedStudy, three_sessions: list[str]
) -> None:
    blocker = workspace.files_folder("scoring")
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("the scoring folder cannot be made here")
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        await _score(pilot, "fst")
        assert isinstance(app.screen, FstScreen)
        assert any(str(blocker) in message for message in notices(app))
        assert "scoring stopped" in str(app.screen.query_one("#scoring-text").render())
        assert _scores(workspace) == {}
