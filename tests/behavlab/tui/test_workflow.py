"""The study at the bench through the app: randomize, dose, FST sessions and manual scores, SPT bottles,
unmask and results, the audit log; asserting on the database (through services) and on the widgets."""

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from scipy import stats
from textual.widgets import Checkbox, Input, Select
from textual_plotext import PlotextPlot

from behavlab.audit_head import HEAD_LABEL
from behavlab.services import (
    ProtocolPlan,
    StudySettings,
    Workspace,
    add_fst_session,
    create_study,
    current_head,
    declare_protocol,
    dosing_sheet,
    import_roster,
    list_animals,
    list_events,
    list_fst_sessions,
    record_manual_score,
    record_weights,
    spt_results,
)
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.screens.dosing import DosingScreen
from behavlab.tui.screens.randomize import RandomizeScreen
from behavlab.tui.screens.results import ResultsScreen
from behavlab.tui.widgets.form import FormScreen
from tests.behavlab.factories import baseline_weights, earlier_today, write_roster, write_weights
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tests.behavlab.tui.helpers import notices, open_step, settle, table_rows, type_text, write_bottles
from tracking.synth.videos import write_fst_video

SIZE = (140, 44)


@pytest.fixture
def weighed_today(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> RandomizedStudy:
    """The randomized study, half its animals weighed again this morning (the others' weights are stale)."""
    labels = sorted(randomized.codes)[:12]
    weights = {label: baseline_weights(24)[label] for label in labels}
    now = earlier_today(minutes=5)
    record_weights(workspace, randomized.name, write_weights(tmp_path / "today.csv", weights, now))
    return randomized


@pytest.fixture(scope="module")
def tiny_videos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four one-second synthetic swim videos."""
    folder = tmp_path_factory.mktemp("videos")
    paths = [folder / f"fst{seed}.mp4" for seed in range(4)]
    for seed, path in enumerate(paths):
        write_fst_video(path, duration_s=1, fps=10, size=(96, 64), seed=seed)
    return paths


async def test_randomize_previews_the_balance_and_seals_with_the_passphrase_twice(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="rand"))
    declare_protocol(workspace, "rand", ProtocolPlan("immobility", "motion", 1.2))
    import_roster(workspace, "rand", write_roster(tmp_path / "roster.csv", 24))
    sheet = tmp_path / "preparer.csv"
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "z")
        screen = app.screen
        assert isinstance(screen, RandomizeScreen)
        screen.query_one("#method", Select).value = "block"
        screen.query_one("#bare-seed", Checkbox).value = True  # seed 2024 as given: arms of 12 and 12
        screen.query_one("#seed", Input).focus()
        await type_text(pilot, "2024")
        await pilot.press("enter")
        await settle(pilot)
        balance = table_rows(screen, "#balance")
        assert [row[:2] for row in balance] == [["arm 1", "12"], ["arm 2", "12"]]
        assert "weight SMD arm 1 vs arm 2" in str(screen.query_one("#smd").render())
        screen.query_one("#preparer", Input).value = str(sheet)
        screen.query_one("#passphrase-1", Input).focus()
        await type_text(pilot, PASSPHRASE)
        await pilot.press("enter")
        await type_text(pilot, PASSPHRASE + "x")
        await pilot.press("enter")
        await settle(pilot)
        assert any("differ" in message for message in notices(app))
        assert all(animal.blind_code is None for animal in list_animals(workspace, "rand"))
        await type_text(pilot, PASSPHRASE)
        await pilot.press("enter")
        await type_text(pilot, PASSPHRASE)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert all(animal.blind_code for animal in list_animals(workspace, "rand"))
        with sheet.open() as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 24 + 1 and rows[-1]["code"].startswith(HEAD_LABEL), "24 animals, then the head"
        (event,) = [e for e in list_events(workspace, "rand") if e.action == "study.randomize"]
        assert '"method":"block"' in event.payload
        timeline = str(app.screen.query_one("#timeline").render()).splitlines()
        assert any(line.split()[:2] == ["done", "randomization"] for line in timeline)


async def test_dosing_marks_each_injection_with_one_key_and_shows_refusals(
    workspace: Workspace, weighed_today: RandomizedStudy
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        rows = table_rows(app.screen, "#dosing")
        assert len(rows) == 24
        dosable = [row for row in rows if not row[6]]
        refused = [row for row in rows if row[6]]
        assert len(dosable) == 12 and len(refused) == 12
        assert all(refused_row[0] in refused_row[6] for refused_row in refused)
        first = rows.index(dosable[0])
        await pilot.press(*["down"] * first)
        await pilot.press("space")
        await settle(pilot)
        sheet = {line.code: line for line in dosing_sheet(workspace, weighed_today.name).lines}
        assert sheet[dosable[0][0]].dosed
        assert table_rows(app.screen, "#dosing")[first][5] == "yes"
        assert app.screen.query_one("#dosing").cursor_row == first + 1
        stale = rows.index(refused[0])
        app.screen.query_one("#dosing").move_cursor(row=stale)
        await pilot.press("space")
        await settle(pilot)
        assert any(refused[0][0] in message for message in notices(app))
        assert sum(line.dosed for line in dosing_sheet(workspace, weighed_today.name).lines) == 1


async def test_fst_session_and_manual_score(
    workspace: Workspace, randomized: RandomizedStudy, tiny_videos: list[Path]
) -> None:
    code = randomized.code_in_arm(0)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        await pilot.press("a")
        await type_text(pilot, code)
        await pilot.press("enter")
        app.screen.focused.value = str(tiny_videos[0])  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await settle(pilot)
        (view,) = list_fst_sessions(workspace, randomized.name)
        assert (view.code, view.video, view.roi_label) == (code, "fst0.mp4", "frame")
        row = table_rows(app.screen, "#sessions")[0]
        assert row[1:4] == [code, "fst0.mp4", "frame"] and row[6] == "-"
        assert "no dose recorded before this test" in row[8]
        await pilot.press("m")
        await type_text(pilot, "150")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert list_fst_sessions(workspace, randomized.name)[0].scored_methods == ["manual"]
        assert table_rows(app.screen, "#sessions")[0][6] == "manual 150.0"
        assert "1 sessions, 1 scored" in str(app.screen.query_one("#status").render())


async def test_spt_period_and_bottle_weights(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    a, b = randomized.code_in_arm(0), randomized.code_in_arm(1)
    sheet = write_bottles(
        tmp_path / "d1.csv", [(a, "L", 200, 194.2, 200, 198.2), (b, "R", 200, 198, 200, 196.2)]
    )
    start = randomized.weighed_at
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "s")
        await pilot.press("n")
        await type_text(pilot, "day1")
        await pilot.press("enter", "enter")
        await type_text(pilot, f"{start:%Y-%m-%d %H:%M}")
        await pilot.press("enter")
        await type_text(pilot, f"{start + timedelta(hours=12):%Y-%m-%d %H:%M}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("b")
        await type_text(pilot, "day1")
        await pilot.press("enter")
        app.screen.focused.value = str(sheet)  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        assert {(line.period, line.code) for line in spt_results(workspace, randomized.name)} == {
            ("day1", a),
            ("day1", b),
        }
        rows = {row[2]: row for row in table_rows(app.screen, "#spt")}
        assert rows[b][8] == "anhedonic" and rows[a][8] == ""
        assert rows[a][6] == f"{5.8 / 7.6 * 100:.1f}"
        assert any(f"anhedonic: {b}" in message for message in notices(app))


async def test_unmask_asks_then_opens_the_results_with_statistics_and_a_group_plot(
    workspace: Workspace, randomized: RandomizedStudy, tiny_videos: list[Path]
) -> None:
    by_arm = [
        sorted(c for label, c in randomized.codes.items() if randomized.arms[label] == a) for a in (0, 1)
    ]
    scored = {by_arm[0][0]: 150.0, by_arm[0][1]: 140.0, by_arm[1][0]: 90.0, by_arm[1][1]: 80.0}
    for (code, seconds), video in zip(scored.items(), tiny_videos, strict=True):
        add_fst_session(workspace, randomized.name, code, video)
        record_manual_score(workspace, randomized.name, code, seconds, "blind scorer")
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "u")
        assert "20 animals without an FST score" in str(app.screen.query_one("#open-items").render())
        assert "24 coded animals" in str(app.screen.query_one("#reveal").render())
        await type_text(pilot, "wrong passphrase!")
        await pilot.press("enter", "y")
        await settle(pilot)
        assert any("open items" in message for message in notices(app))
        app.screen.query_one("#force-reason", Input).value = "pilot ended early"
        await pilot.press("enter", "y")
        await settle(pilot)
        assert any("passphrase" in message for message in notices(app))
        assert "study.unmask" not in [e.action for e in list_events(workspace, randomized.name)]
        field = app.screen.query_one("#unmask-passphrase", Input)
        field.value = PASSPHRASE
        field.focus()
        await pilot.press("enter", "y")
        await settle(pilot)
        assert "study.unmask" in [e.action for e in list_events(workspace, randomized.name)]
        assert isinstance(app.screen, ResultsScreen)
        allocation = table_rows(app.screen, "#allocation")
        assert len(allocation) == 24
        arm_names = {"vehicle": 0, "ketamine": 1}
        label_of = {code: label for label, code in randomized.codes.items()}
        assert all(arm_names[arm] == randomized.arms[label_of[code]] for code, arm, _ in allocation)
        assert {code: immobile for code, _, immobile in allocation if immobile != "-"} == {
            code: f"manual {seconds:.1f}" for code, seconds in scored.items()
        }
        welch = stats.ttest_ind([90.0, 80.0], [150.0, 140.0], equal_var=False)
        statistics = table_rows(app.screen, "#statistics")
        assert statistics[0] == [
            "FST immobility (manual)",
            "vehicle",
            "2",
            "145 ± 7.071",
            "reference",
            "",
            "",
            "",
        ]
        assert statistics[1][:4] == ["", "ketamine", "2", "85 ± 7.071"]
        assert statistics[1][4].startswith("-60 [") and statistics[1][5].startswith("-4.79 [")
        assert statistics[1][6] == f"{welch.pvalue:.3f}"
        plot = app.screen.query_one("#group-plot", PlotextPlot).render().plain
        assert "FST immobility (manual), s: each animal" in plot
        assert "vehicle" in plot and "ketamine" in plot
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)


async def test_audit_lists_the_events_and_verifies_the_chain(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "l")
        actions = [row[3] for row in table_rows(app.screen, "#events")]
        assert actions == [e.action for e in list_events(workspace, randomized.name)]
        assert {"study.create", "animals.import", "study.randomize"} <= set(actions)
        chain = " ".join(str(app.screen.query_one("#chain").render()).split())
        assert "hash chain verified" in chain
        assert f"{current_head(workspace).line}" in chain


async def test_a_file_that_cannot_be_written_is_a_notice_naming_it(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, not a folder")
    target = not_a_folder / "dosing.csv"
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen), "the refused dialog stays open with what was typed"
        assert app.screen.query_one(Input).value == str(target)
        assert any(str(not_a_folder) in message for message in notices(app))
        await pilot.press("escape")
        assert isinstance(app.screen, DosingScreen)


async def test_a_weak_passphrase_is_refused_with_its_reason_and_a_bare_seed_warns(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="weak"))
    declare_protocol(workspace, "weak", ProtocolPlan("immobility", "motion", 1.2))
    import_roster(workspace, "weak", write_roster(tmp_path / "roster.csv", 8))
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "z")
        screen = app.screen
        assert isinstance(screen, RandomizeScreen)
        screen.query_one("#bare-seed", Checkbox).value = True
        await settle(pilot)
        assert any("bare seed" in message and "reproduces" in message for message in notices(app))
        screen.query_one("#seed", Input).focus()
        await type_text(pilot, "2024")
        await pilot.press("enter")
        await settle(pilot)
        screen.query_one("#passphrase-1", Input).focus()
        for _ in range(2):
            await type_text(pilot, "ketamine2026!")
            await pilot.press("enter")
        await settle(pilot)
        assert any("own words" in message for message in notices(app))
        assert not any("ketamine2026!" in message for message in notices(app))
        assert screen.query_one("#passphrase-1", Input).value == ""
        assert isinstance(app.screen, RandomizeScreen)
        assert all(animal.blind_code is None for animal in list_animals(workspace, "weak"))
