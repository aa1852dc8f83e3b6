"""Synthetic FST videos: exact, deterministic ground truth written beside a readable video."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from tracking.synth.scene import tank_layout
from tracking.synth.truth import SynthTruth, TankTruth, bouts_to_frames, load_truth, random_bouts
from tracking.synth.videos import write_fst_video
from tracking.video.reader import open_video


def test_given_bouts_are_the_per_frame_truth(synth_factory: Callable[..., SynthTruth]) -> None:
    bouts = ((1.0, 2.5), (4.0, 5.0))
    truth = synth_factory(duration_s=6.0, fps=20.0, size=(320, 240), bouts=(bouts,), seed=2)
    tank = truth.tanks[0]
    assert truth.n_frames == 120 and tank.immobile.shape == (120,)
    assert np.flatnonzero(np.diff(tank.immobile.astype(int))).tolist() == [19, 49, 79, 99]
    assert tank.bouts == bouts
    assert tank.immobility_s(0, 6) == pytest.approx(2.5)
    assert tank.immobility_s(2.0, 4.5) == pytest.approx(1.0)


def test_video_matches_its_truth(synth_factory: Callable[..., SynthTruth]) -> None:
    truth = synth_factory(duration_s=2.0, n_tanks=2, codec="h264", seed=3)
    with open_video(truth.video) as reader:
        frames = sum(1 for _ in reader.frames())
        info = reader.info()
    assert frames == truth.n_frames == 60 and info.codec == "h264"
    assert (info.width, info.height, info.fps) == (640, 480, 30.0) and info.warnings == ()
    assert [t.label for t in truth.tanks] == ["tank1", "tank2"]


def test_truth_json_round_trips(synth_factory: Callable[..., SynthTruth]) -> None:
    truth = synth_factory(duration_s=2.0, n_tanks=2, codec="h264", seed=3)
    assert truth.truth_json == truth.video.with_suffix(".truth.json") and truth.truth_json.is_file()
    loaded = load_truth(truth.truth_json)
    assert loaded.video == truth.video and loaded.seed == 3 and loaded.n_frames == truth.n_frames
    for a, b in zip(loaded.tanks, truth.tanks, strict=True):
        assert a.roi == b.roi and a.bouts == b.bouts
        np.testing.assert_array_equal(a.immobile, b.immobile)


def test_same_seed_same_video_other_seed_other_video(tmp_path: Path) -> None:
    kwargs = {"duration_s": 1.0, "size": (320, 240), "seed": 7, "immobile_fraction": 1.0}
    first = write_fst_video(tmp_path / "a.mp4", **kwargs)  # type: ignore[arg-type]
    second = write_fst_video(tmp_path / "b.mp4", **kwargs)  # type: ignore[arg-type]
    other = write_fst_video(tmp_path / "c.mp4", **{**kwargs, "seed": 8})  # type: ignore[arg-type]
    assert first.video.read_bytes() == second.video.read_bytes()
    assert first.video.read_bytes() != other.video.read_bytes()


def test_random_schedule_follows_the_target_fraction_in_the_scored_window() -> None:
    def window_fraction(fraction: float) -> float:
        rngs = [np.random.default_rng(seed) for seed in range(40)]
        frames = [bouts_to_frames(random_bouts(360.0, fraction, rng), 10800, 30.0) for rng in rngs]
        return float(np.mean([f[3600:].mean() for f in frames]))

    vehicle, drug = window_fraction(0.6), window_fraction(0.3)
    assert vehicle == pytest.approx(0.6, abs=0.08)
    assert drug == pytest.approx(0.3, abs=0.08)


def test_random_bouts_respect_latency_and_minimum_lengths() -> None:
    bouts = random_bouts(360.0, 0.5, np.random.default_rng(0), latency_s=(30.0, 40.0))
    assert 30.0 <= bouts[0][0] <= 40.0
    assert all(end - start >= 2.0 for start, end in bouts[:-1])
    assert all(b[0] - a[1] >= 1.0 for a, b in pairwise(bouts))
    assert random_bouts(360.0, 0.0, np.random.default_rng(0)) == ()
    with pytest.raises(ValueError, match="immobile_fraction"):
        random_bouts(360.0, 1.5, np.random.default_rng(0))


def test_per_tank_fractions_give_a_vehicle_and_a_drug_animal(tmp_path: Path) -> None:
    truth = write_fst_video(
        tmp_path / "pair.mp4",
        duration_s=2.0,
        size=(320, 240),
        n_tanks=2,
        immobile_fraction=(1.0, 0.0),
        latency_s=(0.5, 1.0),
    )
    vehicle, drug = truth.tanks
    assert vehicle.immobile.sum() > 0 and drug.immobile.sum() == 0
    assert truth.params["immobile_fraction"] == [1.0, 0.0]


def test_layout_keeps_tanks_inside_the_frame() -> None:
    for n in (1, 2, 3, 4):
        tanks = tank_layout(n, (640, 480))
        assert all(t.bounds()[0] >= 0 and t.bounds()[2] <= 640 for t in tanks)
        assert all(a.bounds()[2] <= b.bounds()[0] for a, b in pairwise(tanks))


def test_window_seconds_count_frames_in_the_window() -> None:
    tank = TankTruth("t", tank_layout(1, (64, 48))[0], np.ones(300, np.uint8), ((0.0, 10.0),), 30.0)
    assert tank.immobility_s(2.0, 4.0) == pytest.approx(2.0)
    assert tank.to_dict()["immobility_s_120_360"] == 0.0


def test_odd_frame_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        write_fst_video(tmp_path / "x.mp4", duration_s=1.0, size=(321, 240))
