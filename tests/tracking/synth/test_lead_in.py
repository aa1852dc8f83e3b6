"""Synthetic videos as labs record them: an empty tank for a lead-in, then each mouse drops in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tracking.synth.splash import SPLASH_S
from tracking.synth.truth import SynthTruth, entry_frame, load_truth
from tracking.synth.videos import write_fst_video
from tracking.video.reader import open_video
from tracking.video.rois import full_mask

#: Grey level below which a pixel of the lit water is the dark mouse.
_DARK = 90


def _frames(truth: SynthTruth) -> np.ndarray:
    with open_video(truth.video) as reader:
        return np.stack([frame.copy() for _, frame in reader.frames()])


def _dark_pixels(frames: np.ndarray, truth: SynthTruth, tank_index: int) -> np.ndarray:
    """Per frame, the dark (mouse) pixels inside the tank's water, away from its rim."""
    roi = truth.tanks[tank_index].roi
    inner = type(roi)(roi.label, roi.cx, roi.cy, roi.r - 6)
    mask = full_mask(inner, (truth.width, truth.height))
    return (frames[:, mask] < _DARK).sum(axis=1)


def test_staggered_drops_leave_each_tank_empty_until_its_entry(
    synth_factory: Callable[..., SynthTruth],
) -> None:
    truth = synth_factory(
        duration_s=6.0, fps=10.0, size=(640, 240), n_tanks=4, entry_s=(0.0, 1.0, 2.55, 5.0), seed=4
    )
    frames = _frames(truth)
    for index, tank in enumerate(truth.tanks):
        first = entry_frame(tank.entry_s, truth.fps)
        dark = _dark_pixels(frames, truth, index)
        assert (dark[:first] == 0).all() and (dark[first:] > 20).all(), tank.label
        assert not tank.immobile[:first].any()
    assert [entry_frame(t.entry_s, truth.fps) for t in truth.tanks] == [0, 10, 26, 50]


def test_the_splash_changes_the_water_for_about_a_second(synth_factory: Callable[..., SynthTruth]) -> None:
    truth = synth_factory(duration_s=5.0, fps=10.0, size=(320, 240), entry_s=2.0, seed=6)
    frames = _frames(truth).astype(np.int16)
    mask = full_mask(truth.tanks[0].roi, (truth.width, truth.height))
    bright = (frames[:, mask] > 215).sum(axis=1)
    splash_frames = round(SPLASH_S * truth.fps)
    assert (bright[20 : 20 + splash_frames // 2] > 3 * bright[:20].max() + 20).all()
    assert bright[20 + splash_frames + 1 :].max() <= bright[:20].max() + 5


def test_bouts_count_from_each_entry_and_the_truth_records_it(tmp_path: Path) -> None:
    truth = write_fst_video(
        tmp_path / "drops.mp4",
        duration_s=8.0,
        fps=10.0,
        size=(320, 240),
        n_tanks=2,
        entry_s=(1.0, 3.0),
        bouts=(((1.0, 2.0),), ((1.0, 2.0),)),
    )
    first, second = truth.tanks
    assert first.bouts == ((2.0, 3.0),) and second.bouts == ((4.0, 5.0),)
    assert np.flatnonzero(second.immobile).tolist() == list(range(40, 50))
    assert second.test_immobility_s(0.0, 2.0) == pytest.approx(1.0)
    assert second.test_immobility_s(0.0, 1.0) == 0.0
    assert truth.params["entry_s"] == [1.0, 3.0]
    loaded = load_truth(truth.truth_json)
    assert [t.entry_s for t in loaded.tanks] == [1.0, 3.0]


def test_an_entry_after_the_end_leaves_the_tank_empty(synth_factory: Callable[..., SynthTruth]) -> None:
    truth = synth_factory(duration_s=3.0, fps=10.0, size=(320, 240), entry_s=4.0, seed=2)
    assert not truth.tanks[0].immobile.any() and truth.tanks[0].bouts == ()
    assert (_dark_pixels(_frames(truth), truth, 0) == 0).all()


def test_mouse_length_sets_the_body_size(synth_factory: Callable[..., SynthTruth]) -> None:
    small = synth_factory(duration_s=1.0, fps=10.0, size=(640, 240), n_tanks=4, mouse_length_px=12.0, seed=1)
    large = synth_factory(duration_s=1.0, fps=10.0, size=(640, 240), n_tanks=4, seed=1)
    small_area = float(np.median(_dark_pixels(_frames(small), small, 0)))
    large_area = float(np.median(_dark_pixels(_frames(large), large, 0)))
    assert 40 <= small_area <= 110 < 5 * small_area < large_area
    assert small.params["mouse_length_px"] == 12.0


def test_one_entry_time_per_tank_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one entry time per tank"):
        write_fst_video(tmp_path / "x.mp4", duration_s=1.0, n_tanks=2, entry_s=(1.0,))
    with pytest.raises(ValueError, match="must be >= 0"):
        write_fst_video(tmp_path / "x.mp4", duration_s=1.0, entry_s=-1.0)
