"""SVG screenshots of the terminal app for the README: the study dashboard and the FST scoring screen.

Builds a small blinded study in a temporary folder (24 synthetic mice weighed and dosed a day ago,
randomized and sealed; four 6-min synthetic videos of two tanks each, one FST session per tank, two of them
also scored by hand), drives the app headless, scores the study from the FST screen (the thread worker and
its progress bar), and saves `docs/scoring.svg`, then `docs/dashboard.svg` back on the dashboard. Scoring
outputs and presets go to the temporary folder too (XDG_DATA_HOME).

    .venv/bin/python -m bench.tui_screenshots [--out docs]
"""

import argparse
import asyncio
import os
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from behavlab.services import (
    Workspace,
    add_fst_session,
    open_workspace,
    record_dose,
    record_manual_score,
)
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.fst import FstScreen
from bench._study import weighed_randomized_study
from tracking.synth.videos import write_fst_video
from tracking.video.rois import save_rois

STUDY = "ket-2025-03"
SIZE = (140, 40)
VIDEOS = 4


def build_study(workspace: Workspace, folder: Path) -> None:
    """A randomized study dosed a day ago, with eight FST sessions 24 h later (two of them hand-scored)."""
    tested = datetime.now().astimezone()
    dosed = tested - timedelta(hours=24, minutes=30)
    day_start = datetime.combine(dosed.date(), time(0, 0), dosed.tzinfo)
    weighed = max(dosed - timedelta(minutes=20), day_start)
    codes = weighed_randomized_study(
        workspace,
        folder,
        STUDY,
        n_animals=24,
        weighed=weighed,
        roster_weighed=weighed - timedelta(days=1),
        passphrase="demo passphrase words",
    )
    for second, code in enumerate(codes):
        record_dose(workspace, STUDY, code, at=dosed + timedelta(seconds=10 * second))
    for index in range(VIDEOS):
        video = folder / f"day2-camera{index}.mp4"
        fractions = [0.4, 0.7]
        truth = write_fst_video(
            video, duration_s=360, fps=15, size=(320, 160), n_tanks=2, seed=index, immobile_fraction=fractions
        )
        rois = save_rois(folder / f"rois{index}.json", [tank.roi for tank in truth.tanks])
        for tank, code in zip(truth.tanks, codes[2 * index : 2 * index + 2], strict=True):
            add_fst_session(workspace, STUDY, code, video, tank.label, rois, tank.label, tested_at=tested)
    for index, code in enumerate(codes[:2]):
        record_manual_score(workspace, STUDY, code, 95.0 + 60 * index, "blind scorer")


async def settle(app: BehavlabApp, pilot: object) -> None:
    """Wait for every worker and the repaint after it."""
    for _ in range(5):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


async def shoot(app: BehavlabApp, out: Path) -> list[Path]:
    """Score the study from the FST screen and save it, then save the dashboard."""
    saved = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("f", "s")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FstScreen)
        app.clear_notifications()
        await pilot.pause()
        saved.append(Path(app.save_screenshot("scoring.svg", path=str(out))))
        await pilot.press("escape")
        await settle(app, pilot)
        app.clear_notifications()
        await pilot.pause()
        saved.append(Path(app.save_screenshot("dashboard.svg", path=str(out))))
    return saved


def main() -> None:
    """Build the study and write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        workspace = open_workspace(f"sqlite:///{Path(folder) / 'shots.sqlite'}", actor="technician")
        build_study(workspace, Path(folder))
        for path in asyncio.run(shoot(BehavlabApp(workspace), args.out.resolve())):
            print(path)
        workspace.engine.dispose()


if __name__ == "__main__":
    main()
