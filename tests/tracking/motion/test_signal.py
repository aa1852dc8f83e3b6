"""The motion signal: exact on simple clips; mobile and immobile separate on synthetic FST videos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.tracking.videos import write_pyav
from tracking.motion.hampel import hampel
from tracking.motion.signal import despike, frame_wide_change, gaussian_ksize, motion_signal
from tracking.synth.scene import Nuisances
from tracking.synth.truth import SynthTruth
from tracking.video.rois import CircleROI, RectROI, ROIError


def _jumping_square(n: int = 12) -> list[np.ndarray]:
    """A 20x20 bright square on a flat background, alternating between two far-apart places."""
    frames = []
    for i in range(n):
        frame = np.full((120, 160), 60, np.uint8)
        x = 20 if i % 2 else 110
        frame[50:70, x : x + 20] = 200
        frames.append(frame)
    return frames


@pytest.fixture
def lossless_clip(tmp_path: Path) -> Path:
    return write_pyav(tmp_path / "square.mkv", "ffv1", _jumping_square(), pix_fmt="yuv420p")


@pytest.mark.parametrize("subsample", [1, 2])
def test_changed_fraction_of_a_jumping_square(lossless_clip: Path, subsample: int) -> None:
    signal = motion_signal(lossless_clip, subsample=subsample)
    assert signal.roi_names == ("frame",)
    assert signal.values.shape == (12, 1) and signal.values.dtype == np.float32
    assert np.isnan(signal.values[0, 0])
    # the square leaves one place and appears in another: two 20x20 areas (a little wider after the blur)
    expected = 2 * 20 * 20 / (160 * 120)
    np.testing.assert_allclose(signal.values[1:, 0], expected, rtol=0.25)
    assert signal.timestamps_s.dtype == np.float64 and signal.timestamps_s[0] == 0.0
    assert signal.fps == pytest.approx(30.0)


def test_rois_see_only_their_own_motion(lossless_clip: Path) -> None:
    rois = [RectROI("left", 0, 0, 80, 120), RectROI("right", 80, 0, 80, 120), RectROI("still", 0, 0, 160, 30)]
    signal = motion_signal(lossless_clip, rois)
    np.testing.assert_allclose(signal.column("left")[1:], 400 / (80 * 120), rtol=0.3)
    np.testing.assert_allclose(signal.column("right")[1:], 400 / (80 * 120), rtol=0.3)
    np.testing.assert_array_equal(signal.column("still")[1:], 0.0)
    with pytest.raises(KeyError, match="no ROI 'x'"):
        signal.column("x")


def test_a_higher_cutoff_never_counts_more(lossless_clip: Path) -> None:
    low = motion_signal(lossless_clip, pixel_cutoff=5).values[1:]
    high = motion_signal(lossless_clip, pixel_cutoff=60).values[1:]
    assert np.all(high <= low) and high.sum() < low.sum()


def test_provenance_records_every_parameter(lossless_clip: Path) -> None:
    signal = motion_signal(lossless_clip, [CircleROI("tank1", 80, 60, 50)], pixel_cutoff=9.79, subsample=1)
    params = signal.params
    assert params["method"] == "changed-pixel-fraction"
    assert params["pixel_cutoff"] == 9.79 and params["blur_sigma"] == 1.0
    assert params["blur_ksize"] == gaussian_ksize(1.0) == 9 and params["subsample"] == 1
    assert params["rois"] == [{"label": "tank1", "shape": "circle", "cx": 80, "cy": 60, "r": 50}]
    assert params["threshold_stored_levels"] == 8  # 9.79 grey levels are 8.4 limited-range luma steps
    assert signal.video.decoded_frames == 12 and params["backend"] == "pyav"
    assert params["frame_wide_change"]["frames"] == 0


def test_hampel_removes_bursts_of_up_to_three_frames_and_keeps_steps() -> None:
    values = np.array([np.nan, 0, 0, 0, 5, 5, 5, 0, 0, 0, 0, 0, 7, 8, 6, 9, 7, 8, 7], dtype=np.float32)
    filtered = hampel(values)
    assert np.isnan(filtered[0])
    np.testing.assert_array_equal(filtered[1:], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 8, 6, 9, 7, 8, 7])


def test_hampel_keeps_the_moving_values_next_to_a_still_stretch() -> None:
    # a running median gives the moving frames next to a step low values of their neighbours (frames 3 and
    # 13: 9 -> 8), under the threshold when they are low enough: false immobility at every bout edge
    values = np.array([np.nan, 9, 8, 9, 6, 0, 0, 0, 0, 0, 0, 0, 5, 9, 8, 9, 9], dtype=np.float32)
    np.testing.assert_array_equal(hampel(values)[1:], values[1:])
    assert despike(values, 5)[[3, 13]].tolist() == [8, 8]


def test_keyframe_change_in_every_still_tank_is_left_out_of_the_windows() -> None:
    # a keyframe at frame 4 changes the still water of three tanks; tank 0 also has a three-frame local
    # residue (frames 5-7): four changed frames of seven, which the Hampel filter alone keeps as motion
    still = np.zeros((14, 3), dtype=np.float32)
    still[4] = 0.009
    still[5:8, 0] = 0.006
    flagged = frame_wide_change(still)
    assert flagged.tolist() == [i == 4 for i in range(14)]
    assert hampel(still)[5:8, 0].tolist() == pytest.approx([0.006] * 3)
    cleaned = hampel(still, left_out=flagged)
    np.testing.assert_array_equal(cleaned, 0.0)  # the lower median of the six frames kept is 0


def test_animal_motion_is_never_frame_wide_change() -> None:
    # one swimming tank and one still tank: a lone change needs a second still tank to agree
    values = np.zeros((20, 2), dtype=np.float32)
    values[:, 0] = 0.01
    values[9, 1] = 0.01
    assert not frame_wide_change(values).any()
    assert not frame_wide_change(values[:, :1]).any()


def test_roi_outside_the_frame_is_refused(lossless_clip: Path) -> None:
    with pytest.raises(ROIError, match=r"'tank9'.*160x120"):
        motion_signal(lossless_clip, [CircleROI("tank9", 150, 60, 40)])


def test_bad_parameters_are_refused(lossless_clip: Path) -> None:
    with pytest.raises(ValueError, match="subsample"):
        motion_signal(lossless_clip, subsample=3)
    with pytest.raises(ValueError, match="pixel_cutoff"):
        motion_signal(lossless_clip, pixel_cutoff=-1)


SCHEDULE = ((2.0, 6.0), (8.5, 13.0), (15.0, 18.0))


def _separation(truth: SynthTruth, signal_values: np.ndarray, tank: int) -> tuple[float, float]:
    immobile = truth.tanks[tank].immobile[1:].astype(bool)
    values = signal_values[1:, tank]
    return float(np.median(values[~immobile])), float(np.percentile(values[immobile], 95))


@pytest.mark.parametrize(("n_tanks", "codec"), [(1, "mpeg4"), (4, "h264")])
def test_mobile_and_immobile_stretches_separate_despite_nuisances(
    synth_factory: Callable[..., SynthTruth], n_tanks: int, codec: str
) -> None:
    truth = synth_factory(duration_s=20.0, n_tanks=n_tanks, codec=codec, seed=11, bouts=(SCHEDULE,) * n_tanks)
    signal = motion_signal(truth.video, [tank.roi for tank in truth.tanks])
    assert signal.n_frames == truth.n_frames and signal.video.warnings == ()
    for i, tank in enumerate(truth.tanks):
        mobile_median, immobile_p95 = _separation(truth, signal.values, i)
        assert mobile_median > 5 * max(immobile_p95, 1e-4), (tank.label, mobile_median, immobile_p95)


def test_strong_nuisances_still_separate(synth_factory: Callable[..., SynthTruth]) -> None:
    loud = Nuisances(ripple_amplitude=6.0, noise_sd=3.0, reflection_gain=70.0, drift_px_per_frame=0.06)
    truth = synth_factory(duration_s=20.0, seed=5, bouts=(SCHEDULE,), nuisances=loud)
    signal = motion_signal(truth.video, [truth.tanks[0].roi])
    mobile_median, immobile_p95 = _separation(truth, signal.values, 0)
    assert mobile_median > 3 * immobile_p95


def test_per_roi_and_union_strategies_give_identical_values(synth_factory: Callable[..., SynthTruth]) -> None:
    truth = synth_factory(duration_s=1.0, n_tanks=4, codec="h264", seed=4)
    rois = [tank.roi for tank in truth.tanks]
    together = motion_signal(truth.video, rois)
    alone = motion_signal(truth.video, [rois[2]])
    assert together.params["strategy"] == "per-roi" and alone.params["strategy"] == "union"
    np.testing.assert_array_equal(together.column("tank3"), alone.column("tank3"))


def test_backends_and_subsampling_agree(synth_factory: Callable[..., SynthTruth]) -> None:
    truth = synth_factory(duration_s=20.0, n_tanks=1, codec="mpeg4", seed=11, bouts=(SCHEDULE,))
    rois = [truth.tanks[0].roi]
    reference = motion_signal(truth.video, rois, backend="pyav", subsample=1).values[1:, 0]
    for backend, subsample in (("pyav", 2), ("opencv", 2), ("opencv", 1)):
        other = motion_signal(truth.video, rois, backend=backend, subsample=subsample).values[1:, 0]
        assert np.corrcoef(reference, other)[0, 1] > 0.97, (backend, subsample)
        assert np.median(other) == pytest.approx(np.median(reference), rel=0.25, abs=2e-3)
