"""Noise calibration: ezTrack's practice clip, the percentile arithmetic, noisier clips, ROIs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.tracking.videos import EZTRACK_CLIP, write_pyav
from tracking.motion.noise import _percentile_from_histogram, calibrate_noise
from tracking.video.rois import RectROI, ROIError

EZTRACK_CUTOFF = 9.79


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
def test_eztrack_practice_clip_gives_eztracks_cutoff(backend: str) -> None:
    if not EZTRACK_CLIP.is_file():
        pytest.skip(f"ezTrack practice clip not found at {EZTRACK_CLIP} (read in place, never copied)")
    result = calibrate_noise(EZTRACK_CLIP, backend=backend)  # type: ignore[arg-type]
    assert result.suggested_cutoff == pytest.approx(EZTRACK_CUTOFF, rel=0.10)
    assert result.suggested_cutoff == pytest.approx(2 * result.percentile_change)
    assert result.n_frames == 298 and result.n_samples == 297 * 320 * 240
    assert result.params["blur_ksize"] == 9 and result.params["percentile"] == 99.99


def test_histogram_percentile_matches_numpy() -> None:
    values = np.random.default_rng(1).gamma(2.0, 1.5, 200_000)
    counts = np.bincount((values * 64).astype(int), minlength=256 * 64)
    for q in (50.0, 99.0, 99.99):
        assert _percentile_from_histogram(counts, q) == pytest.approx(np.percentile(values, q), abs=1 / 32)


def _noise_clip(path: Path, sd: float) -> Path:
    rng = np.random.default_rng(0)
    base = np.full((96, 128), 120.0)
    frames = [np.clip(base + rng.normal(0, sd, base.shape), 0, 255).astype(np.uint8) for _ in range(20)]
    return write_pyav(path, "ffv1", frames)


def test_noisier_clip_gives_a_higher_cutoff(tmp_path: Path) -> None:
    quiet = calibrate_noise(_noise_clip(tmp_path / "quiet.mkv", 1.0))
    loud = calibrate_noise(_noise_clip(tmp_path / "loud.mkv", 4.0))
    assert 0 < quiet.suggested_cutoff < loud.suggested_cutoff
    assert loud.mean_change > 2 * quiet.mean_change


def test_roi_restricts_the_pixels_sampled(tmp_path: Path) -> None:
    clip = _noise_clip(tmp_path / "clip.mkv", 2.0)
    result = calibrate_noise(clip, RectROI("tank", 10, 10, 40, 30), max_frames=10)
    assert result.n_frames == 10 and result.n_samples == 9 * 40 * 30
    with pytest.raises(ROIError, match="outside"):
        calibrate_noise(clip, RectROI("tank", 100, 10, 40, 30))
