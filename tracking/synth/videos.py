"""Synthetic forced-swim-test videos with exactly known per-frame immobility.

:func:`write_fst_video` draws the scene of :mod:`tracking.synth.scene` (tanks, mice swimming or floating,
ripples, glare and camera noise), encodes it lossily (MPEG-4 Part 2 "mp4v" or H.264) and writes the ground
truth of :mod:`tracking.synth.truth` beside it. As labs record it, the camera may start before the mice are
dropped in: each tank then shows empty rippling water until its mouse enters with a splash, at its own time.

Notes
-----
Tank and timing follow the mouse FST protocol (Can et al. 2012, JoVE 59:e3638: 6-minute test, last 4 minutes
scored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import av
import numpy as np

from tracking.rules.presets import FST_DURATION_S
from tracking.synth.scene import Nuisances, build_scene, tank_layout
from tracking.synth.truth import Bout, SynthTruth, random_bouts, tank_truths, write_truth
from tracking.video.encoding import VideoEncoder, add_video_stream

Codec = Literal["mpeg4", "h264"]

_ENCODERS: dict[Codec, tuple[VideoEncoder, dict[str, str]]] = {
    "mpeg4": ("mpeg4", {"qscale": "4"}),
    "h264": ("libx264", {"preset": "veryfast", "crf": "23"}),
}
#: The colour range tagged on the video: limited ("MPEG", 16-235), as cameras write.
_MPEG_RANGE = 1


def write_fst_video(
    path: str | Path,
    *,
    duration_s: float = FST_DURATION_S,
    fps: float = 30.0,
    size: tuple[int, int] = (640, 480),
    n_tanks: int = 1,
    seed: int = 0,
    immobile_fraction: float | Sequence[float] = 0.55,
    bouts: Sequence[Sequence[Bout]] | None = None,
    latency_s: tuple[float, float] = (15.0, 75.0),
    codec: Codec = "mpeg4",
    nuisances: Nuisances = Nuisances(),
    entry_s: float | Sequence[float] = 0.0,
    mouse_length_px: float | None = None,
) -> SynthTruth:
    """Write an FST-like video (container from the suffix) and ``<stem>.truth.json`` beside it.

    Parameters
    ----------
    path
        The video to write; its suffix chooses the container (e.g. ``.mp4``, ``.avi``).
    duration_s, fps
        Length in seconds and frames per second; the video has ``round(duration_s * fps)`` frames.
    size, n_tanks
        Frame width and height in pixels (both even), and how many tanks stand side by side in it.
    seed
        Determines everything drawn at random: bouts, mice, ripples and noise.
    immobile_fraction, latency_s
        Fraction of the time each mouse floats after a mobile latency drawn uniformly from ``latency_s``
        (seconds): one value for all tanks, or one per tank (e.g. a vehicle and a drug animal side by side).
    bouts
        Each tank's immobile bouts in seconds from its mouse's entry, instead of random ones.
    codec, nuisances
        ``"mpeg4"`` (MPEG-4 Part 2, "mp4v") or ``"h264"``; ripples, glare, camera noise and floating drift.
    entry_s
        Video time (s) at which each mouse is dropped in, one value for all tanks or one per tank (staggered
        drops); the tank is empty before it. 0: present from the first frame, with no splash. An entry at or
        after ``duration_s`` leaves the tank empty throughout.
    mouse_length_px
        Each mouse's body length in pixels (None: 0.64 x the tank radius).

    Returns
    -------
    SynthTruth
        The video, its truth file, and each tank's ROI (pixels), bouts (seconds) and per-frame immobility.
    """
    path = Path(path)
    fractions = _per_tank_fractions(immobile_fraction, bouts, n_tanks, size)
    entries = _per_tank(entry_s, n_tanks, "entry time")
    bouts_given = bouts is not None
    n_frames = round(duration_s * fps)
    tank_rngs, scene_rng = _random_generators(seed, n_tanks)
    tanks = tank_layout(n_tanks, size)
    if bouts is None:
        bouts = [
            random_bouts(duration_s - entry, f, rng, latency_s=latency_s)
            for f, rng, entry in zip(fractions, tank_rngs, entries, strict=True)
        ]
    truths = tank_truths(tanks, bouts, n_frames, fps, entries)
    scene = build_scene(tanks, size, nuisances, fps, tank_rngs, scene_rng, mouse_length_px)
    _encode(path, fps, size, codec, scene.frames(truths, n_frames, scene_rng))
    params = _truth_params(duration_s, fractions, bouts_given, latency_s, codec, nuisances)
    params.update(entry_s=entries, mouse_length_px=mouse_length_px)
    truth = SynthTruth(
        path, path.with_suffix(".truth.json"), fps, n_frames, *size, codec, seed, truths, params
    )
    write_truth(truth)
    return truth


def _random_generators(seed: int, n_tanks: int) -> tuple[list[np.random.Generator], np.random.Generator]:
    """One independent generator per tank (its bouts and its mouse), and one for the scene, from ``seed``."""
    *tanks, scene = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n_tanks + 1))
    return tanks, scene


def _truth_params(
    duration_s: float,
    fractions: Sequence[float],
    bouts_given: bool,
    latency_s: tuple[float, float],
    codec: Codec,
    nuisances: Nuisances,
) -> dict[str, object]:
    """The parameters a truth file records: what was asked for, and the encoder used."""
    return {
        "duration_s": duration_s,
        "n_tanks": len(fractions),
        "immobile_fraction": list(fractions),
        "bouts_given": bouts_given,
        "latency_s": list(latency_s),
        "nuisances": vars(nuisances).copy(),
        "encoder": _ENCODERS[codec][0],
        "encoder_options": _ENCODERS[codec][1],
    }


def _per_tank_fractions(
    immobile_fraction: float | Sequence[float],
    bouts: Sequence[Sequence[Bout]] | None,
    n_tanks: int,
    size: tuple[int, int],
) -> list[float]:
    """One immobile fraction per tank, after checking the frame size and the per-tank lists."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError(f"frame size must be even for yuv420p, got {width}x{height}")
    if bouts is not None and len(bouts) != n_tanks:
        raise ValueError(f"give one bout list per tank ({n_tanks} tanks)")
    return _per_tank(immobile_fraction, n_tanks, "immobile fraction")


def _per_tank(value: float | Sequence[float], n_tanks: int, what: str) -> list[float]:
    """One value per tank: ``value`` repeated, or the given list after checking its length."""
    values = [float(value)] * n_tanks if isinstance(value, int | float) else [float(v) for v in value]
    if len(values) != n_tanks:
        raise ValueError(f"give one {what} per tank ({n_tanks} tanks), got {len(values)}")
    if any(v < 0 for v in values):
        raise ValueError(f"each {what} must be >= 0, got {values}")
    return values


def _encode(
    path: Path, fps: float, size: tuple[int, int], codec: Codec, frames: Iterable[np.ndarray]
) -> None:
    """Encode the grey frames as a limited-range yuv420p video."""
    encoder, options = _ENCODERS[codec]
    with av.open(str(path), mode="w") as container:
        stream = add_video_stream(container, encoder, fps, size, options)
        stream.color_range = _MPEG_RANGE
        for t, frame in enumerate(frames):
            video_frame = av.VideoFrame.from_ndarray(frame, format="gray")
            video_frame.pts = t
            container.mux(stream.encode(video_frame))
        container.mux(stream.encode())
