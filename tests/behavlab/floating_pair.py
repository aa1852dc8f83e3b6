"""Two animals of a randomized study filmed together in a video named by lab ID, floating in known bouts."""

from datetime import timedelta
from pathlib import Path

from behavlab.services import Workspace, add_fst_session, record_dose
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video
from tracking.video.rois import save_rois

#: The test starts 4 s into the video (entered); scored from 6 to 50 s after it: 10 to 54 s of video time.
TEST_START_S = 4.0
WINDOW = {"window_start_s": 6.0, "window_end_s": 50.0, "test_duration_s": 54.0}
#: Each animal's floating (s of video time): some bouts before the window, some across its end.
BOUTS = [[(1.0, 6.0), (12.0, 20.0), (30.0, 45.0), (50.0, 58.0)], [(2.0, 7.0), (25.0, 33.0), (51.0, 57.0)]]


def film_floating_pair(workspace: Workspace, study: RandomizedStudy, folder: Path) -> tuple[list[str], Path]:
    """One animal of each arm, dosed, tested an hour later in one 60-s two-tank video ``M001-and-M002-day1``.

    Returns their codes (arm 0, arm 1) and the video.
    """
    video = folder / "M001-and-M002-day1.mp4"
    folder.mkdir(parents=True, exist_ok=True)
    truth = write_fst_video(video, duration_s=60.0, fps=15, size=(320, 160), n_tanks=2, seed=11, bouts=BOUTS)
    rois = save_rois(folder / "rois.json", [tank.roi for tank in truth.tanks])
    codes = [study.code_in_arm(0), study.code_in_arm(1)]
    dosed = study.weighed_at + timedelta(minutes=5)
    for code, tank in zip(codes, truth.tanks, strict=True):
        record_dose(workspace, study.name, code, at=dosed)
        tested_at = dosed + timedelta(hours=1)
        add_fst_session(
            workspace, study.name, code, video, tank.label, rois, tested_at=tested_at, start_s=TEST_START_S
        )
    return codes, video
