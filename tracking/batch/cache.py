"""Per-frame signal cache: one ``.npz`` per video, so re-thresholding never decodes the video again.

The file holds the signal of every ROI (float32, ``(n_frames, n_rois)``), the timestamps, and a JSON metadata
record (fps, ROI labels, the video's hash, the signal parameters, the software version). It is written to a
temporary name in the same directory and renamed, so a reader never sees half a file. Loading checks the
video hash and signal parameters against what the caller expects and refuses a cache made from another video
or with other parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tracking.errors import TrackingError
from writing.atomic import atomic_write

CACHE_FORMAT = "behavlab-signal-cache"
CACHE_VERSION = 1


class CacheError(TrackingError, ValueError):
    """A cache file that cannot be read."""


class CacheMismatchError(CacheError):
    """A cache made from another video or with other signal parameters than those asked for."""


@dataclass(frozen=True, eq=False)
class SignalCache:
    """Per-frame signals of all ROIs of one video, with what is needed to trust and reuse them."""

    values: np.ndarray
    timestamps: np.ndarray
    fps: float
    roi_labels: tuple[str, ...]
    video_hash: str
    signal_params: Mapping[str, Any]
    software_version: str

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float32)
        if values.ndim != 2:
            raise ValueError(f"values must be 2-D (n_frames, n_rois), got shape {values.shape}")
        timestamps = np.asarray(self.timestamps, dtype=np.float64)
        if timestamps.shape != (values.shape[0],):
            raise ValueError(f"timestamps have shape {timestamps.shape}; expected ({values.shape[0]},)")
        if len(self.roi_labels) != values.shape[1]:
            raise ValueError(f"{len(self.roi_labels)} ROI labels for {values.shape[1]} signal columns")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "timestamps", timestamps)
        object.__setattr__(self, "roi_labels", tuple(str(label) for label in self.roi_labels))
        object.__setattr__(self, "signal_params", _canonical(self.signal_params))

    def signal(self, roi: str) -> np.ndarray:
        """The float64 signal of one ROI by label (KeyError naming the labels available)."""
        if roi not in self.roi_labels:
            raise KeyError(f"no ROI {roi!r} in the cache; available: {', '.join(self.roi_labels)}")
        return self.values[:, self.roi_labels.index(roi)].astype(np.float64)


def _canonical(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as JSON would return them (tuples become lists), so saved and asked values compare equal."""
    try:
        canonical: dict[str, Any] = json.loads(json.dumps(dict(params), sort_keys=True))
        return canonical
    except TypeError as error:
        raise ValueError(f"signal parameters must be JSON-serialisable: {error}") from error


def save_signal_cache(path: str | Path, cache: SignalCache) -> Path:
    """Write ``cache`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    metadata = {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "fps": float(cache.fps),
        "roi_labels": list(cache.roi_labels),
        "video_hash": cache.video_hash,
        "signal_params": cache.signal_params,
        "software_version": cache.software_version,
    }
    return atomic_write(
        path,
        lambda temporary: np.savez(
            temporary,
            values=cache.values,
            timestamps=cache.timestamps,
            metadata=np.array(json.dumps(metadata, sort_keys=True)),
        ),
    )


def load_signal_cache(
    path: str | Path, *, video_hash: str | None = None, signal_params: Mapping[str, Any] | None = None
) -> SignalCache:
    """Read a cache; raise CacheMismatchError when ``video_hash`` or ``signal_params`` differ from it.

    Pass ``None`` to skip a check (e.g. to inspect a file). A missing, truncated or foreign file raises
    CacheError naming the file.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            values, timestamps = data["values"], data["timestamps"]
            metadata = json.loads(str(data["metadata"]))
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise CacheError(f"cannot read signal cache {path}: {error}") from error
    if metadata.get("format") != CACHE_FORMAT:
        raise CacheError(f"{path} is not a behavlab signal cache")
    if metadata.get("version") != CACHE_VERSION:
        raise CacheError(
            f"{path} has cache version {metadata.get('version')!r}; this release reads {CACHE_VERSION}"
        )
    if video_hash is not None and metadata["video_hash"] != video_hash:
        raise CacheMismatchError(
            f"{path} was made from another video (hash {metadata['video_hash']}, asked {video_hash}); "
            "rescore needs the cache of this video, or score the video again"
        )
    if signal_params is not None and metadata["signal_params"] != _canonical(signal_params):
        saved, asked = metadata["signal_params"], _canonical(signal_params)
        differ = sorted(k for k in saved.keys() | asked.keys() if saved.get(k) != asked.get(k))
        details = ", ".join(f"{k}: cached {saved.get(k)!r}, asked {asked.get(k)!r}" for k in differ)
        raise CacheMismatchError(
            f"{path} was made with other signal parameters ({details}); score the video again"
        )
    return SignalCache(
        values=values,
        timestamps=timestamps,
        fps=metadata["fps"],
        roi_labels=tuple(metadata["roi_labels"]),
        video_hash=metadata["video_hash"],
        signal_params=metadata["signal_params"],
        software_version=metadata["software_version"],
    )
