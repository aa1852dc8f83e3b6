"""SVG screenshots of the terminal app for the README: the study dashboard and the FST screen.

Builds a small blinded study in a temporary database (24 synthetic mice, randomized and sealed, dosed, four
FST sessions on synthetic videos with manual scores), drives the app headless and saves `docs/dashboard.svg`
and `docs/scoring.svg`.

    .venv/bin/python bench/tui_screenshots.py [--out docs]
"""

import argparse
import asyncio
import tempfile
from pathlib import Path

from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    open_workspace,
    record_dose,
    record_manual_score,
)
from behavlab.tui.app import BehavlabApp
from cohorts.synth import synthetic_roster, write_roster_csv
from tracking.synth import write_fst_video

STUDY = "ket-demo"
SIZE = (130, 36)


def build_study(workspace: Workspace, folder: Path) -> None:
    """A randomized, dosed study with four scored FST sessions."""
    create_study(workspace, StudySettings(name=STUDY))
    import_roster(workspace, STUDY, write_roster_csv(synthetic_roster(24), folder / "roster.csv"))
    draft = draft_randomization(workspace, STUDY, RandomizationOptions(seed=2024))
    codes = sorted(commit_randomization(workspace, draft, "demo passphrase words").codes.values())
    for code in codes:
        record_dose(workspace, STUDY, code)
    for index, code in enumerate(codes[:4]):
        video = folder / f"fst{index}.mp4"
        write_fst_video(video, duration_s=1, fps=10, size=(96, 64), seed=index)
        add_fst_session(workspace, STUDY, code, video, tank="A")
        record_manual_score(workspace, STUDY, code, 120.0 + 17 * index, "blind scorer")


async def shoot(app: BehavlabApp, out: Path) -> list[Path]:
    """Open the dashboard, then the FST screen, saving each."""
    saved = []
    async with app.run_test(size=SIZE) as pilot:
        for key, name in (("enter", "dashboard.svg"), ("f", "scoring.svg")):
            await app.workers.wait_for_complete()
            await pilot.press(key)
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            saved.append(Path(app.save_screenshot(name, path=str(out))))
    return saved


def main() -> None:
    """Build the study and write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        workspace = open_workspace(f"sqlite:///{Path(folder) / 'shots.sqlite'}", actor="technician")
        build_study(workspace, Path(folder))
        for path in asyncio.run(shoot(BehavlabApp(workspace), args.out)):
            print(path)
        workspace.engine.dispose()


if __name__ == "__main__":
    main()
