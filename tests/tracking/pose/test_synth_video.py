"""tracking.pose.synth_video: a video drawn from pose tracks shows each body part where the tracks say."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks
from tracking.pose.synth_video import PALETTE, frame_size, pose_tanks, write_pose_video
from tracking.video.reader import open_video

CLEAN = PoseSynthConfig(duration_s=4.0, fps=15.0, px_per_cm=6.0, jitter_px=0.0, dropout_fraction=0.0)


def _frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def test_the_frame_holds_the_tanks_side_by_side() -> None:
    assert frame_size(CLEAN, 1) == (144, 174)
    assert frame_size(CLEAN, 2) == (288, 174)
    [left, right] = pose_tanks(CLEAN, 2)
    assert (left.cx, left.cy, left.r) == pytest.approx((72.0, 86.4, 60.0)) and right.cx == 216.0


def test_every_marker_is_drawn_at_its_tracked_position(tmp_path: Path) -> None:
    synth = synth_pose_tracks(config=CLEAN, seed=4, bouts=[[(1.0, 3.0)]])
    path = write_pose_video(synth, tmp_path / "M1.mp4")
    with open_video(path) as reader:
        assert reader.metadata_fps == 15.0 and (reader.width, reader.height) == (144, 174)
    frames = _frames(path)
    assert len(frames) == synth.tracks.n_frames == 60
    palette = np.array(PALETTE, dtype=float)
    hits = 0
    checks = 0
    for t in range(0, 60, 7):
        for k in range(len(synth.tracks.bodyparts)):
            x, y = synth.tracks.x[t, 0, k], synth.tracks.y[t, 0, k]
            colour = frames[t][round(y), round(x)].astype(float)
            nearest = int(np.argmin(np.linalg.norm(palette - colour, axis=1)))
            checks += 1
            hits += nearest == k
    assert hits / checks >= 0.9  # markers of neighbouring parts overlap now and then (ears, paws)
