"""Acceptance of the pose method on synthetic tracks (tracking.pose.synth): >= 97% per-frame agreement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracking.pose import (
    PoseSignalParams,
    pose_signals,
    read_dlc,
    score_pose_file,
    score_pose_tracks,
    signal_params_for,
)
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, write_synth_pose
from tracking.rules.presets import get_preset
from tracking.rules.summary import AnimalResult

PX_PER_CM = 10.0
STILL_WATER = PoseSynthConfig(drift_cm_s=0.0, float_rotation_deg_s=0.0)
#: The fst pose preset with the 0.5-s rolling median proposed for it (the built-in has smooth_s 0): the pose
#: signal's jitter floor and the paddling level overlap in their tails frame by frame.
FST_POSE = get_preset("fst", "pose")


def _agreement(result: AnimalResult, truth: np.ndarray) -> float:
    return float(np.mean(result.frames.immobile == truth))


def test_synthetic_tracks_have_the_stated_nuisances() -> None:
    synth = synth_pose_tracks(seed=3)
    tracks = synth.tracks
    assert tracks.x.shape == (10800, 1, 9) and tracks.fps == 30.0
    low = tracks.likelihood < 0.9
    assert 0.05 < low.mean() < 0.10  # dropouts
    assert np.median(tracks.likelihood[~low]) > 0.98
    truth = synth.truth("animal")
    assert 0.3 < truth.mean() < 0.7 and not truth[:450].any()  # mobile first (latency >= 15 s)


@pytest.mark.parametrize("seed", [11, 12])
def test_fst_preset_agrees_with_truth_despite_drift_jitter_and_dropouts(seed: int) -> None:
    synth = synth_pose_tracks(seed=seed)
    [result] = score_pose_tracks(synth.tracks, FST_POSE, signal_params_for("fst", px_per_cm=PX_PER_CM))
    assert result.params["signal"]["signal"]["kind"] == "relative"
    assert _agreement(result, synth.truth("animal")) >= 0.97
    assert result.threshold_trustworthy


@pytest.mark.parametrize("seed", [21, 22])
def test_freezing_preset_agrees_with_truth(seed: int) -> None:
    synth = synth_pose_tracks(seed=seed, config=STILL_WATER)
    params = get_preset("freezing", "pose")
    [result] = score_pose_tracks(synth.tracks, params, signal_params_for("freezing", px_per_cm=PX_PER_CM))
    assert result.params["signal"]["signal"]["kind"] == "still"
    assert result.threshold_trustworthy and _agreement(result, synth.truth("animal")) >= 0.97


def test_passive_drift_is_not_scored_as_mobile_by_fst() -> None:
    """A mouse floating for 5 minutes while the current carries it at 4 cm/s is immobile, not swimming."""
    synth = synth_pose_tracks(seed=5, bouts=[[(30.0, 330.0)]], config=PoseSynthConfig(drift_cm_s=4.0))
    [fst] = score_pose_tracks(synth.tracks, FST_POSE, PoseSignalParams(px_per_cm=PX_PER_CM))
    assert fst.immobility_s == pytest.approx(210.0, abs=3.0)  # all of 120-330 s
    floating = synth.truth("animal")
    assert np.mean(fst.frames.immobile[floating]) > 0.99
    # Body speed sees the current: most floating frames are faster than 2 cm/s, a speed a floating mouse in
    # still water never reaches (see the freezing test), so a body-speed threshold would call them swimming.
    [speed] = pose_signals(synth.tracks, PoseSignalParams(kind="speed", px_per_cm=PX_PER_CM))
    assert np.nanmedian(speed.signal[floating]) > 2.0
    [relative] = pose_signals(synth.tracks, PoseSignalParams(px_per_cm=PX_PER_CM))
    assert np.nanmedian(relative.signal[floating]) < np.nanmedian(relative.signal[~floating]) / 2


def test_body_speed_fails_where_relative_motion_holds_under_strong_drift() -> None:
    synth = synth_pose_tracks(seed=31, config=PoseSynthConfig(drift_cm_s=6.0))
    truth = synth.truth("animal")
    scores = {
        kind: _agreement(
            score_pose_tracks(synth.tracks, FST_POSE, PoseSignalParams(kind=kind, px_per_cm=PX_PER_CM))[0],
            truth,
        )
        for kind in ("speed", "relative")
    }
    assert scores["relative"] >= 0.97 and scores["speed"] < scores["relative"] - 0.05


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_multi_animal_dlc_file_scores_one_result_per_individual(tmp_path: Path, suffix: str) -> None:
    config = PoseSynthConfig(duration_s=180.0)
    synth = synth_pose_tracks(seed=41, individuals=("mouse1", "mouse2"), config=config)
    path = write_synth_pose(synth, tmp_path, "cage1", suffix=suffix)
    assert path.name == f"cage1{synth.tracks.scorer}{suffix}"
    loaded = read_dlc(path, fps=30.0)
    np.testing.assert_allclose(loaded.x, synth.tracks.x)
    results = score_pose_file(
        path,
        fps=30.0,
        signal=PoseSignalParams(px_per_cm=PX_PER_CM),
        window_start_s=0.0,
        window_end_s=180.0,
    )
    assert [r.animal for r in results] == ["mouse1", "mouse2"]
    for result in results:
        assert _agreement(result, synth.truth(result.animal)) >= 0.97
        assert result.params["signal"]["individual"] == result.animal


def test_written_file_has_the_header_layout_of_deeplabcut(tmp_path: Path) -> None:
    synth = synth_pose_tracks(seed=1, config=PoseSynthConfig(duration_s=2.0))
    lines = write_synth_pose(synth, tmp_path, "m1", suffix=".csv").read_text().splitlines()
    assert lines[0].startswith(f"scorer,{synth.tracks.scorer},")
    assert lines[1].startswith("bodyparts,nose,nose,nose,left_ear")
    assert lines[2].startswith("coords,x,y,likelihood,x,y,likelihood")
    assert lines[3].startswith("0,") and len(lines) == 3 + 60
