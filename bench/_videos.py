"""Synthetic benchmark videos, written once and kept under bench/out/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracking.synth.truth import SynthTruth, load_truth
from tracking.synth.videos import Codec, write_fst_video

OUT = Path(__file__).resolve().parent / "out"


def bench_video(
    name: str,
    *,
    duration_s: float = 360.0,
    fps: float = 30.0,
    size: tuple[int, int] = (640, 480),
    n_tanks: int = 1,
    codec: Codec = "mpeg4",
    seed: int = 0,
    entry_s: float | Sequence[float] = 0.0,
) -> SynthTruth:
    """The named synthetic FST video (mp4v or H.264 written with PyAV), generated on first use.

    ``entry_s``: each mouse's drop into its tank (s of video time; one for all tanks or one per tank).
    """
    path = OUT / f"{name}.mp4"
    truth_json = path.with_suffix(".truth.json")
    if path.is_file() and truth_json.is_file():
        return load_truth(truth_json)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"writing {path.name} ({duration_s:g} s, {size[0]}x{size[1]}, {fps:g} fps, {codec})", flush=True)
    return write_fst_video(
        path,
        duration_s=duration_s,
        fps=fps,
        size=size,
        n_tanks=n_tanks,
        codec=codec,
        seed=seed,
        entry_s=entry_s,
    )
