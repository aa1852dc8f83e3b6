"""Ground truth of a synthetic forced-swim video: the immobile bouts of each tank and their per-frame 0/1.

Ground truth follows the motion signal's convention: frame ``t`` is immobile when the movement from frame ``t
- 1`` to frame ``t`` is floating drift, so ``immobile[t]`` describes the same interval as ``signal[t]``. Frame
``t`` is shown at ``t / fps`` seconds; a bout ``(start_s, end_s)`` covers the frames with ``start_s <= t / fps
< end_s``; immobility seconds in a window count the immobile frames in it, each lasting ``1 / fps``. A
tank whose mouse is dropped in after a lead-in is empty (never immobile) before its entry at ``entry_s``
seconds of video time; its first frame with the mouse is :func:`entry_frame`, and its test (latency, scored
window) counts from ``entry_s``.

Notes
-----
The random bout schedule starts with a mobile stretch (latency to first immobility), then alternates
gamma-distributed immobile and mobile bouts whose mean lengths give the requested immobile fraction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tracking.rules.presets import FST_SCORED_WINDOW_S
from tracking.video.rois import CircleROI

Bout = tuple[float, float]
"""An immobile bout as (start, end) in seconds from the start of the video, the end excluded."""


def entry_frame(entry_s: float, fps: float) -> int:
    """The mouse's first frame: the first at or after ``entry_s`` s (frame ``t`` is at ``t / fps`` s)."""
    return math.ceil(entry_s * fps - 1e-9)


TRUTH_FORMAT = "behavlab-synth-truth"


@dataclass(frozen=True, eq=False)
class TankTruth:
    """Ground truth for one tank: its ROI, per-frame immobility (1 = immobile), bouts and mouse entry (s)."""

    label: str
    roi: CircleROI
    immobile: np.ndarray
    bouts: tuple[Bout, ...]
    fps: float
    entry_s: float = 0.0
    """Video time (s) at which the mouse enters the water; 0: present from the first frame."""

    def immobility_s(
        self, start_s: float = FST_SCORED_WINDOW_S[0], end_s: float = FST_SCORED_WINDOW_S[1]
    ) -> float:
        """Seconds of immobility in the window [start_s, end_s): immobile frames there, 1 / fps each."""
        times = np.arange(self.immobile.size) / self.fps
        inside = (times >= start_s) & (times < end_s)
        return float(self.immobile[inside].sum() / self.fps)

    def test_immobility_s(
        self, start_s: float = FST_SCORED_WINDOW_S[0], end_s: float = FST_SCORED_WINDOW_S[1]
    ) -> float:
        """Seconds of immobility in the test window [start_s, end_s), in seconds from the mouse's entry."""
        return self.immobility_s(self.entry_s + start_s, self.entry_s + end_s)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return {
            "label": self.label,
            "roi": self.roi.to_dict(),
            "bouts_s": [list(b) for b in self.bouts],
            "entry_s": self.entry_s,
            "immobility_s_120_360": self.test_immobility_s(),
            "immobile": self.immobile.astype(int).tolist(),
        }


@dataclass(frozen=True, eq=False)
class SynthTruth:
    """What :func:`tracking.synth.videos.write_fst_video` wrote: the video, its truth JSON, per-tank truth."""

    video: Path
    truth_json: Path
    fps: float
    n_frames: int
    width: int
    height: int
    codec: str
    seed: int
    tanks: tuple[TankTruth, ...]
    params: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary (the truth file's content)."""
        return {
            "format": TRUTH_FORMAT,
            "version": 1,
            "video": self.video.name,
            "fps": self.fps,
            "n_frames": self.n_frames,
            "width": self.width,
            "height": self.height,
            "codec": self.codec,
            "seed": self.seed,
            "params": self.params,
            "frame_convention": "immobile[t] describes the movement from frame t-1 to t; frame t at t/fps s",
            "tanks": [tank.to_dict() for tank in self.tanks],
        }


def load_truth(path: str | Path) -> SynthTruth:
    """Read a truth JSON written by :func:`tracking.synth.videos.write_fst_video`.

    Parameters
    ----------
    path
        The ``<video stem>.truth.json`` file.

    Returns
    -------
    SynthTruth
        The video beside it, its frame rate (fps), size (pixels), and each tank's ROI, bouts (seconds) and
        per-frame immobility.

    Raises
    ------
    ValueError
        The file is not a synthetic-video truth file.
    """
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != TRUTH_FORMAT:
        raise ValueError(f"{path} is not a synthetic-video truth file (format {data.get('format')!r})")
    fps = float(data["fps"])
    tanks = tuple(
        TankTruth(
            label=t["label"],
            roi=CircleROI(t["label"], t["roi"]["cx"], t["roi"]["cy"], t["roi"]["r"]),
            immobile=np.asarray(t["immobile"], dtype=np.uint8),
            bouts=tuple((float(a), float(b)) for a, b in t["bouts_s"]),
            fps=fps,
            entry_s=float(t.get("entry_s", 0.0)),
        )
        for t in data["tanks"]
    )
    return SynthTruth(
        video=path.parent / data["video"],
        truth_json=path,
        fps=fps,
        n_frames=int(data["n_frames"]),
        width=int(data["width"]),
        height=int(data["height"]),
        codec=data["codec"],
        seed=int(data["seed"]),
        tanks=tanks,
        params=data["params"],
    )


def write_truth(truth: SynthTruth) -> Path:
    """Write the truth JSON (:meth:`SynthTruth.to_dict`) at ``truth.truth_json``; returns its path."""
    truth.truth_json.write_text(json.dumps(truth.to_dict()) + "\n", encoding="utf-8")
    return truth.truth_json


def random_bouts(
    duration_s: float,
    immobile_fraction: float,
    rng: np.random.Generator,
    *,
    latency_s: tuple[float, float] = (15.0, 75.0),
    mean_immobile_bout_s: float = 8.0,
    min_immobile_bout_s: float = 2.0,
    min_mobile_bout_s: float = 1.0,
) -> tuple[Bout, ...]:
    """Immobile bouts: a mobile latency, then gamma-length bouts, about ``immobile_fraction`` after it."""
    if not 0.0 <= immobile_fraction <= 1.0:
        raise ValueError(f"immobile_fraction must be in [0, 1], got {immobile_fraction}")
    if immobile_fraction == 0.0:
        return ()
    t = float(rng.uniform(*latency_s))
    if immobile_fraction == 1.0:
        return ((t, duration_s),) if t < duration_s else ()
    mean_mobile = mean_immobile_bout_s * (1.0 - immobile_fraction) / immobile_fraction
    bouts: list[Bout] = []
    while t < duration_s:
        length = max(min_immobile_bout_s, float(rng.gamma(2.0, mean_immobile_bout_s / 2.0)))
        bouts.append((t, min(t + length, duration_s)))
        t += length + max(min_mobile_bout_s, float(rng.gamma(2.0, mean_mobile / 2.0)))
    return tuple(bouts)


def bouts_to_frames(bouts: Sequence[Bout], n_frames: int, fps: float) -> np.ndarray:
    """Per-frame 0/1 immobility (uint8) from bouts: frame t is immobile when a bout covers t / fps."""
    times = np.arange(n_frames) / fps
    immobile = np.zeros(n_frames, dtype=np.uint8)
    for start, end in bouts:
        immobile[(times >= start) & (times < end)] = 1
    return immobile


def tank_truths(
    tanks: Sequence[CircleROI],
    schedules: Sequence[Sequence[Bout]],
    n_frames: int,
    fps: float,
    entries_s: Sequence[float] | None = None,
) -> tuple[TankTruth, ...]:
    """Each tank's truth over ``n_frames`` frames at ``fps`` (frames per second).

    Parameters
    ----------
    tanks, schedules
        The tanks and each one's immobile bouts, in seconds from its mouse's entry.
    n_frames, fps
        Frames in the video and frames per second.
    entries_s
        Video time (s) at which each mouse enters the water (None: every mouse present from frame 0).

    Returns
    -------
    tuple[TankTruth, ...]
        Per tank: bouts moved to video time, per-frame immobility (0 before the entry) and the entry time.
    """
    entries = [0.0] * len(tanks) if entries_s is None else list(entries_s)
    truths = []
    for tank, schedule, entry in zip(tanks, schedules, entries, strict=True):
        bouts = tuple((entry + start, entry + end) for start, end in schedule)
        truths.append(TankTruth(tank.label, tank, bouts_to_frames(bouts, n_frames, fps), bouts, fps, entry))
    return tuple(truths)
