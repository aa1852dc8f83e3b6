"""Snapshots of the main screens on a fixed study (fixed roster, seed and terminal; volatile text masked)."""

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from behavlab.services import (
    ProtocolPlan,
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    declare_protocol,
    draft_randomization,
    import_roster,
    randomization,
    record_manual_score,
    unmask_study,
)
from behavlab.tui.app import BehavlabApp
from tests.behavlab.factories import write_roster
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tests.behavlab.tui.helpers import navigate, reproducible_codes, settle, type_text
from tracking.synth.videos import write_fst_video
from tracking.video.rois import save_rois

SIZE = (120, 36)


@pytest.fixture
def app(sqlite_workspace: Workspace, tmp_path: Path) -> BehavlabApp:
    """The app on one study of 24 weighed mice."""
    create_study(sqlite_workspace, StudySettings(name="snapshot"))
    import_roster(sqlite_workspace, "snapshot", write_roster(tmp_path / "roster.csv", 24))
    return BehavlabApp(sqlite_workspace)


@pytest.mark.parametrize(
    ("name", "keys"), [("studies", ()), ("dashboard", ("enter",)), ("animals", ("enter", "a"))]
)
def test_screen_snapshot(app: BehavlabApp, snap_compare: Any, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=navigate(*keys))


def test_randomize_preview_snapshot(app: BehavlabApp, sqlite_workspace: Workspace, snap_compare: Any) -> None:
    declare_protocol(sqlite_workspace, "snapshot", ProtocolPlan("immobility", "motion", 1.2))

    async def preview(pilot: Pilot[None]) -> None:
        await navigate("enter", "z")(pilot)
        pilot.app.screen.query_one("#bare-seed", Checkbox).value = True  # else the seed is mixed: a new draw
        pilot.app.screen.query_one("#seed", Input).focus()
        await type_text(pilot, "2024")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=preview)


@pytest.fixture(scope="module")
def camera_videos(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """Four 6-min swim videos of two tanks each, with their ROI files."""
    folder = tmp_path_factory.mktemp("cameras")
    videos = []
    for index in range(4):
        video = folder / f"day1-camera{index}.mp4"
        truth = write_fst_video(
            video, duration_s=360, fps=10, size=(160, 80), n_tanks=2, seed=index, immobile_fraction=[0.4, 0.7]
        )
        videos.append((video, save_rois(folder / f"rois{index}.json", [tank.roi for tank in truth.tanks])))
    return videos


@pytest.fixture
def study_with_videos(
    sqlite_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    camera_videos: list[tuple[Path, Path]],
) -> tuple[BehavlabApp, list[str]]:
    """A randomized study (seed 2024, reproducible codes) with one FST session per tank of four videos."""
    monkeypatch.setattr(randomization, "generate_codes", reproducible_codes)
    create_study(sqlite_workspace, StudySettings(name="snapshot"))
    import_roster(sqlite_workspace, "snapshot", write_roster(tmp_path / "roster.csv", 24))
    draft = draft_randomization(
        sqlite_workspace, "snapshot", RandomizationOptions(seed=2024, bare_seed=True, no_protocol=True)
    )
    codes = sorted(commit_randomization(sqlite_workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes.values())
    when = datetime(2025, 3, 3, 10, 0).astimezone()
    for index, (video, rois) in enumerate(camera_videos):
        for tank, code in zip(("tank1", "tank2"), codes[2 * index : 2 * index + 2], strict=True):
            add_fst_session(sqlite_workspace, "snapshot", code, video, tank, rois, tank, tested_at=when)
    return BehavlabApp(sqlite_workspace), codes[: 2 * len(camera_videos)]


def test_fst_scoring_snapshot(study_with_videos: tuple[BehavlabApp, list[str]], snap_compare: Any) -> None:
    app, _ = study_with_videos

    async def score(pilot: Pilot[None]) -> None:
        await navigate("enter", "f")(pilot)
        await pilot.press("s")
        await pilot.pause()
        pilot.app.screen.query_one("#field-jobs", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        line = pilot.app.screen.query_one("#scoring-text", Static)
        line.update(re.sub(r"[\d,]+ frames/s", "(n) frames/s", str(line.render())))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=score)


def test_results_snapshot(study_with_videos: tuple[BehavlabApp, list[str]], snap_compare: Any) -> None:
    app, codes = study_with_videos
    workspace = app.workspace
    for index, code in enumerate(codes):
        record_manual_score(workspace, "snapshot", code, 100.0 + 15 * index, "blind scorer")
    unmask_study(workspace, "snapshot", PASSPHRASE, force_reason="snapshot of the results screen")

    async def results(pilot: Pilot[None]) -> None:
        await navigate("enter", "g")(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=results)
