"""Agreement of several scorings of the same videos: every pair, each source against the raters, overall.

:func:`compare_sources` takes named sources (human raters, and machine outputs of ``behavlab score``) and
reports each pair (:func:`tracking.evaluation.comparison.compare_scorings`: per-frame accuracy and kappa
with intervals, per-video seconds with ICC(2,1), Pearson r and Bland-Altman), each source's mean kappa with
the human raters (a rater who agrees with none of the others stands out; a machine's figure sits beside the
raters' own, the human ceiling), and the human raters together: Fleiss' kappa per frame and ICC(2,1) on
per-video seconds (:mod:`tracking.evaluation.interrater`).

Notes
-----
No source is the reference unless one is named: then every pair with it lists it first (F1 and
Bland-Altman differences are against the first). A machine paired with a human is listed second. Fleiss'
kappa and the overall ICC take the human raters only, on the videos every one of them scored; their
per-frame figures use no transition tolerance (no rater is the reference). Below
:data:`~tracking.evaluation.agreement.MIN_VIDEOS` videos the per-video statistics are not computed, and
Fleiss' kappa is resampled in contiguous time blocks, by the rule of per-frame agreement
(:func:`~tracking.evaluation.agreement.resampling_units`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tracking.evaluation.agreement import MIN_VIDEOS, resampling_units, time_blocks
from tracking.evaluation.comparison import Comparison, common_grid, compare_scorings, has_frames
from tracking.evaluation.interrater import Estimate, fleiss_kappa_units, icc_2_1
from tracking.evaluation.labels import LabelFileError
from tracking.evaluation.scorings import Scoring
from tracking.rules.presets import FST_SCORED_WINDOW_S


@dataclass(frozen=True, eq=False)
class PairAgreement:
    """Two sources compared (``first`` listed first, the reference of F1 and differences) and their ICC."""

    first: str
    second: str
    comparison: Comparison
    icc: Estimate


@dataclass(frozen=True, eq=False)
class SourcesAgreement:
    """Every pair, each source's mean kappa with the human raters, and the raters' overall agreement."""

    sources: tuple[str, ...]
    machines: tuple[str, ...]
    pairs: tuple[PairAgreement, ...]
    mean_kappa: dict[str, float]
    fleiss: Estimate | None
    icc: Estimate
    n_videos: int
    notes: tuple[str, ...]


def _is_machine(scorings: Sequence[Scoring]) -> bool:
    return any(s.method is not None or s.signal is not None for s in scorings)


def _ordered(a: str, b: str, machines: set[str], reference: str | None) -> tuple[str, str]:
    """The pair in report order: the reference first, else a human before a machine, else as given."""
    if b == reference or (a in machines and b not in machines and a != reference):
        return b, a
    return a, b


def compare_sources(
    sources: Mapping[str, Sequence[Scoring]],
    *,
    reference: str | None = None,
    window_start_s: float = FST_SCORED_WINDOW_S[0],
    window_end_s: float | None = FST_SCORED_WINDOW_S[1],
    tolerance_s: float = 0.0,
    grid_fps: float = 30.0,
) -> SourcesAgreement:
    """Agreement of named sources, pair by pair and overall (see the module Notes).

    LabelFileError when fewer than two sources are given or no pair has a video in common.
    """
    names = list(sources)
    if len(names) < 2:
        raise LabelFileError(names[0] if names else "sources", "agreement needs at least two scorings")
    machines = {name for name in names if _is_machine(sources[name])}
    window = (window_start_s, window_end_s)
    pairs, notes = [], []
    for a, b in itertools.combinations(names, 2):
        first, second = _ordered(a, b, machines, reference)
        try:
            comparison = compare_scorings(
                sources[first],
                sources[second],
                window_start_s=window_start_s,
                window_end_s=window_end_s,
                tolerance_s=tolerance_s,
                grid_fps=grid_fps,
            )
        except LabelFileError as error:
            notes.append(f"{first} and {second} not compared: {error.problem}")
            continue
        pairs.append(PairAgreement(first, second, comparison, _pair_icc(comparison)))
    if not pairs:
        raise LabelFileError(names[0], "no two sources share a video; " + "; ".join(notes))
    humans = [name for name in names if name not in machines]
    fleiss, icc, n_videos, left_out = _overall({h: sources[h] for h in humans}, window, grid_fps)
    return SourcesAgreement(
        tuple(names),
        tuple(name for name in names if name in machines),
        tuple(pairs),
        {name: _mean_kappa(name, pairs, humans) for name in names},
        fleiss,
        icc,
        n_videos,
        tuple(notes + left_out),
    )


def _pair_icc(comparison: Comparison) -> Estimate:
    """ICC(2,1) of the pair's per-video seconds, or NaN below MIN_VIDEOS videos."""
    rows = comparison.rows.dropna(subset=["first_s", "second_s"])
    if len(rows) < MIN_VIDEOS:
        return Estimate(float("nan"), (float("nan"), float("nan")), f"needs >= {MIN_VIDEOS} videos")
    return icc_2_1(rows[["first_s", "second_s"]].to_numpy())


def _mean_kappa(name: str, pairs: Sequence[PairAgreement], humans: Sequence[str]) -> float:
    """Mean pooled per-frame kappa of ``name`` with each human rater other than itself."""
    kappas = [
        pair.comparison.frames.kappa
        for pair in pairs
        if pair.comparison.frames is not None
        and name in (pair.first, pair.second)
        and ({pair.first, pair.second} - {name}) & set(humans)
    ]
    return float(np.mean(kappas)) if kappas else float("nan")


def _overall(
    humans: Mapping[str, Sequence[Scoring]], window: tuple[float, float | None], grid_fps: float
) -> tuple[Estimate | None, Estimate, int, list[str]]:
    """Fleiss' kappa per frame and ICC(2,1) on seconds over the videos every human rater scored."""
    nan = Estimate(float("nan"), (float("nan"), float("nan")), "none")
    if len(humans) < 2:
        return None, nan, 0, []
    by_key = {name: {s.key: s for s in scorings} for name, scorings in humans.items()}
    keys = set.intersection(*(set(k) for k in by_key.values()))
    left_out = sorted(set.union(*(set(k) for k in by_key.values())) - keys)
    notes = (
        [f"overall figures leave out videos not every rater scored: {', '.join(left_out)}"]
        if left_out
        else []
    )
    videos = [[by_key[name][key] for name in humans] for key in sorted(keys)]
    seconds = np.array([[s.seconds_in(*window) for s in video] for video in videos])
    icc = icc_2_1(seconds) if len(videos) >= MIN_VIDEOS else nan
    framed = [video for video in videos if all(has_frames(s) for s in video)]
    ratings = [_ratings(video, window, grid_fps) for video in framed]
    ratings = [r for r in ratings if r[0].size]
    if not ratings:
        return None, icc, len(videos), notes
    by_video = [r for r, _ in ratings]
    blocks = [
        r[block == index] for r, t in ratings for block in [time_blocks(t)] for index in np.unique(block)
    ]
    units = resampling_units(by_video, blocks) or ([np.concatenate(by_video)], "recording")
    return fleiss_kappa_units(*units), icc, len(videos), notes


def _ratings(
    video: Sequence[Scoring], window: tuple[float, float | None], grid_fps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Every rater's 0/1 per frame of one video in the window where all know the state, and frame times."""
    start, end = window
    times, _ = common_grid(video, grid_fps, end)
    keep = (times >= start) & (times < (end if end is not None else np.inf))
    for scoring in video:
        if scoring.known is not None:
            keep &= scoring.known
    ratings = np.column_stack([s.on_grid(times) for s in video]).astype(np.int64)
    return ratings[keep], times[keep]


__all__ = ["PairAgreement", "SourcesAgreement", "compare_sources"]
