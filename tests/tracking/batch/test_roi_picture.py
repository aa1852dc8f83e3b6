"""The batch's ROI picture: a frame just after the latest test start, each ROI labelled with its start."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tracking.batch.jobs import BatchSettings, resolve_request
from tracking.batch.run import run_batch
from tracking.batch.runners import LocalRunner
from tracking.batch.starts import StartRequest
from tracking.synth.videos import write_fst_video
from tracking.video.overlay import AFTER_START_S, frame_at
from tracking.video.reader import open_video
from tracking.video.roi_drawing import draw_rois


def test_roi_picture_shows_the_frame_after_the_latest_start_and_each_rois_start(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    truth = write_fst_video(
        tmp_path / "in" / "S1.mp4",
        duration_s=24.0,
        fps=10.0,
        size=(320, 160),
        n_tanks=2,
        seed=3,
        entry_s=(2.0, 6.0),
    )
    rois = tuple(tank.roi for tank in truth.tanks)
    params, options = resolve_request("motion", "fst", {"window_start_s": 0.0, "window_end_s": 15.0})
    settings = BatchSettings(
        tmp_path / "out",
        params,
        options,
        rois=rois,
        starts=StartRequest(manifest={"S1.mp4": {"tank1": 2.0, "tank2": 6.5}}),
    )
    report = run_batch([truth.video], settings, runner=LocalRunner(1))
    assert not report.failed
    written = cv2.imread(str(tmp_path / "out" / "S1.rois.png"))
    notes = {"tank1": "start 2.0 s, entered", "tank2": "start 6.5 s, entered"}
    expected = draw_rois(frame_at(truth.video, 6.5 + AFTER_START_S), rois, notes)
    assert np.array_equal(written, expected)
    assert not np.array_equal(written, draw_rois(frame_at(truth.video, 0.0), rois, notes))


def test_frame_at_is_the_frame_the_scoring_shows_at_that_time(tmp_path: Path) -> None:
    truth = write_fst_video(tmp_path / "F.mp4", duration_s=20.0, fps=15.0, size=(320, 160), seed=1)
    with open_video(truth.video) as reader:
        frames = [(time_s, grey.copy()) for time_s, grey in reader.frames()]
    for wanted_s, index in ((0.0, 0), (7.5, 113), (12.34, 186), (50.0, len(frames) - 1)):
        assert frames[index][0] >= wanted_s or index == len(frames) - 1
        assert np.array_equal(frame_at(truth.video, wanted_s), frames[index][1]), wanted_s
