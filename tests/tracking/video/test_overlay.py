"""tracking.video.overlay: the annotated video has every frame, and each ROI's outline shows the animal's
state."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tracking.motion.scoring import score_video
from tracking.rules.immobility import FrameState
from tracking.synth.videos import write_fst_video
from tracking.video.overlay import first_frame, write_overlay


def test_overlay_frames_show_each_animals_state(tmp_path: Path) -> None:
    truth = write_fst_video(
        tmp_path / "A1.mp4",
        duration_s=12.0,
        fps=15.0,
        size=(320, 160),
        n_tanks=2,
        seed=2,
        latency_s=(2.0, 3.0),
    )
    score = score_video(
        truth.video, [t.roi for t in truth.tanks], "fst", window_start_s=0.0, window_end_s=12.0
    )
    path = write_overlay(score, tmp_path / "A1.overlay.mp4")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    result = score.animal("tank1")
    immobile = int(np.flatnonzero(result.frames.state == FrameState.IMMOBILE)[0])
    mobile = int(np.flatnonzero(result.frames.state == FrameState.MOBILE)[-1])
    roi = truth.tanks[0].roi
    rim = (round(roi.cy), round(roi.cx - roi.r))
    colours = {}
    capture = cv2.VideoCapture(str(path))
    for index in range(truth.n_frames):
        ok, bgr = capture.read()
        assert ok, f"overlay ends at frame {index}"
        assert bgr.shape == (160, 320, 3)
        if index in (immobile, mobile):
            patch = bgr[rim[0] - 3 : rim[0] + 4, rim[1] - 3 : rim[1] + 4].reshape(-1, 3).astype(int)
            colours[index] = patch[np.argmax(np.abs(patch[:, 2] - patch[:, 1]))]
    assert not capture.read()[0]
    capture.release()
    red, green = colours[immobile], colours[mobile]
    assert red[2] > red[1] + 60, f"immobile frame {immobile}: outline {red} is not red"
    assert green[1] > green[2] + 60, f"mobile frame {mobile}: outline {green} is not green"
    assert first_frame(truth.video).shape == (160, 320)
