"""Result folders written the way a batch writes them, from synthetic signals rather than decoded videos."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from tracking.batch.cache import SignalCache
from tracking.batch.documents import VideoOutputs
from tracking.batch.run import write_video_outputs
from tracking.motion.scoring import rescore
from tracking.rules.presets import ScoringParams, get_preset

FPS = 10.0
DURATION_S = 60.0
#: Each synthetic animal is immobile from 20 s to 40 s.
IMMOBILE_S = (20.0, 40.0)


def two_state_signal(seed: int = 0) -> np.ndarray:
    """A changed-pixel fraction: low and noisy while immobile (20-40 s), ten times higher otherwise."""
    rng = np.random.default_rng(seed)
    times = np.arange(int(DURATION_S * FPS)) / FPS
    immobile = (times >= IMMOBILE_S[0]) & (times < IMMOBILE_S[1])
    return np.where(immobile, 0.002, 0.05) * rng.lognormal(0.0, 0.2, times.size)


def window_params(**changes: object) -> ScoringParams:
    """The fst motion preset scored over 10-60 s of a 60-s test, with ``changes``."""
    return get_preset("fst", window_start_s=10.0, window_end_s=60.0, test_duration_s=60.0, **changes)  # type: ignore[arg-type]


def write_result(
    out_dir: Path,
    stem: str,
    signals: Mapping[str, np.ndarray],
    params: ScoringParams,
    *,
    per_frame: bool = False,
) -> dict[str, object]:
    """Write one video's signal cache, QC plot and result document as the batch does; return the document."""
    n = len(next(iter(signals.values())))
    cache = SignalCache(
        values=np.column_stack(list(signals.values())),
        timestamps=np.arange(n) / FPS,
        fps=FPS,
        roi_labels=tuple(signals),
        video_hash=f"hash-of-{stem}",
        signal_params={"pixel_cutoff": 10.0},
        software_version="9.9.9",
    )
    info = {"path": f"{stem}.mp4", "content_hash": cache.video_hash, "decoded_frames": n, "warnings": []}
    score = rescore(Path(f"{stem}.mp4"), cache, params, rois=(), video_info=info)
    request = {"method": "motion", "scoring": params.to_dict(), "signal_options": {"pixel_cutoff": 10.0}}
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_video_outputs(
        score,
        VideoOutputs(out_dir, stem),
        software_version="9.9.9",
        request=request,
        new_signal=True,
        per_frame=per_frame,
        overlay=False,
    )
