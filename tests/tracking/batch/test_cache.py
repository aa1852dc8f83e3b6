"""Tests of the per-frame signal cache (tracking.batch.cache)."""

from __future__ import annotations

import numpy as np
import pytest

from tracking.batch.cache import (
    CacheError,
    CacheMismatchError,
    SignalCache,
    load_signal_cache,
    save_signal_cache,
)
from tracking.rules.presets import get_preset
from tracking.rules.summary import score_signal

PARAMS = {"method": "motion", "pixel_cutoff": 10, "blur_sigma": 1.0, "rois": ("A", "B")}


def _cache(rng: np.random.Generator) -> SignalCache:
    values = rng.random((300, 2))
    values[0] = np.nan
    return SignalCache(
        values, np.arange(300) / 30.0, 30.0, ("A", "B"), "sha256:abc", PARAMS, "behavlab 0.1.0"
    )


def test_round_trip(tmp_path) -> None:
    cache = _cache(np.random.default_rng(0))
    path = save_signal_cache(tmp_path / "out" / "video.signal.npz", cache)
    assert path.exists() and not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    loaded = load_signal_cache(path, video_hash="sha256:abc", signal_params=PARAMS)
    assert loaded.values.dtype == np.float32 and loaded.values.shape == (300, 2)
    np.testing.assert_array_equal(loaded.values, cache.values)
    np.testing.assert_array_equal(loaded.timestamps, cache.timestamps)
    assert (loaded.fps, loaded.roi_labels, loaded.software_version) == (30.0, ("A", "B"), "behavlab 0.1.0")
    assert loaded.signal_params == {**PARAMS, "rois": ["A", "B"]}


def test_rescore_from_cache_matches_scoring_the_signal(tmp_path) -> None:
    cache = _cache(np.random.default_rng(1))
    save_signal_cache(tmp_path / "v.npz", cache)
    loaded = load_signal_cache(tmp_path / "v.npz", video_hash="sha256:abc", signal_params=PARAMS)
    params = get_preset("fst", threshold=0.3, window_start_s=0.0, window_end_s=10.0)
    again = score_signal(loaded.signal("B"), loaded.timestamps, fps=loaded.fps, params=params)
    direct = score_signal(cache.values[:, 1].astype(np.float64), cache.timestamps, fps=30.0, params=params)
    assert again.immobility_s == direct.immobility_s


def test_refuses_another_video_or_other_parameters(tmp_path) -> None:
    save_signal_cache(tmp_path / "v.npz", _cache(np.random.default_rng(2)))
    with pytest.raises(CacheMismatchError, match="another video"):
        load_signal_cache(tmp_path / "v.npz", video_hash="sha256:def", signal_params=PARAMS)
    with pytest.raises(CacheMismatchError, match="pixel_cutoff: cached 10, asked 12"):
        load_signal_cache(
            tmp_path / "v.npz", video_hash="sha256:abc", signal_params={**PARAMS, "pixel_cutoff": 12}
        )


def test_unreadable_files_raise_cache_error(tmp_path) -> None:
    with pytest.raises(CacheError, match=r"missing\.npz"):
        load_signal_cache(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(CacheError, match=r"junk\.npz"):
        load_signal_cache(tmp_path / "junk.npz")
    np.savez(tmp_path / "other.npz", values=np.zeros((2, 1)), timestamps=np.zeros(2), metadata=np.array("{}"))
    with pytest.raises(CacheError, match="not a behavlab signal cache"):
        load_signal_cache(tmp_path / "other.npz")


def test_shape_checks_and_roi_lookup() -> None:
    with pytest.raises(ValueError, match="3 ROI labels for 2"):
        SignalCache(np.zeros((5, 2)), np.arange(5.0), 30.0, ("A", "B", "C"), "h", {}, "v")
    with pytest.raises(ValueError, match="timestamps"):
        SignalCache(np.zeros((5, 2)), np.arange(4.0), 30.0, ("A", "B"), "h", {}, "v")
    with pytest.raises(KeyError, match="available: A, B"):
        _cache(np.random.default_rng(3)).signal("C")
