"""Agreement between two scorings of immobility: per frame, and on per-video seconds.

Any two scorings compare: two human raters, a rater and the machine, the motion and the pose method. The
first is the reference (for F1: precision and recall of the second against it; for Bland-Altman: differences
are second minus first).

Notes
-----
Per frame: accuracy, F1 of the immobile class, and Cohen's kappa (Cohen 1960, Educ. Psychol. Meas. 20:37),
which discounts the agreement two scorings reach by chance given how often each calls a frame immobile.
Human raters press a key a few hundred milliseconds after a change of behaviour, so frames within
``tolerance_s`` of a transition in the reference (+-0.5 s is usual) can be left out. Per video: Pearson's r
says whether the two scorings rank animals alike; Bland & Altman (1986, Lancet 327:307) say how far apart
their seconds are: the bias (mean difference) and the 95% limits of agreement, bias +- 1.96 SD of the
differences. Raters' forced-swim totals correlate at 0.93-0.97 yet may differ two-fold, which only the
second analysis shows.

Every figure has a 95% confidence interval (:mod:`tracking.evaluation.intervals`). Per-frame accuracy and
kappa: a percentile bootstrap that resamples whole videos when there are at least :data:`MIN_VIDEOS` of
them, else contiguous blocks of :data:`BLOCK_S` seconds (the non-overlapping block bootstrap, Carlstein
1986, Ann. Stat. 14:1171): neighbouring frames are nearly copies of one another, so resampling single
frames would give intervals far too narrow. The seed is fixed, so a report is reproducible. Per video:
Pearson's r by Fisher's z (needs :data:`MIN_VIDEOS_FISHER` videos), the bias by Student's t, the limits of
agreement with the approximate standard error sqrt(3 SD^2 / n) of Bland & Altman (1999, Stat. Methods
Med. Res. 8:135). Below :data:`MIN_VIDEOS` videos neither r nor Bland-Altman is computed: with two
videos r is +-1 whatever the scorings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from tracking.evaluation.intervals import Interval

#: Fewest videos for per-video statistics (r, Bland-Altman) and for a bootstrap over videos.
MIN_VIDEOS = 3
#: Length of the contiguous blocks a single recording's frames are resampled in.
BLOCK_S = 20.0
#: Fewest videos for an interval of Pearson's r by Fisher's z (its standard error is 1 / sqrt(n - 3)).
MIN_VIDEOS_FISHER = 4
#: Fewest blocks a block bootstrap needs.
MIN_BLOCKS = 5

Unit = TypeVar("Unit")


@dataclass(frozen=True)
class FrameAgreement:
    """Per-frame agreement of two scorings: confusion counts (immobile is positive), accuracy, F1, kappa."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int
    n_ignored: int
    params: Mapping[str, Any] = field(default_factory=dict)
    accuracy_ci: Interval | None = None
    kappa_ci: Interval | None = None
    ci_method: str = ""

    @property
    def n_frames(self) -> int:
        """Frames compared (not ignored)."""
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def accuracy(self) -> float:
        """Fraction of compared frames on which the two scorings agree."""
        agree = self.true_positive + self.true_negative
        return agree / self.n_frames if self.n_frames else float("nan")

    @property
    def precision(self) -> float:
        """Of the frames the second scoring calls immobile, the fraction the reference calls immobile."""
        called = self.true_positive + self.false_positive
        return self.true_positive / called if called else float("nan")

    @property
    def recall(self) -> float:
        """Of the frames the reference calls immobile, the fraction the second scoring calls immobile."""
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else float("nan")

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall for the immobile class."""
        denominator = 2 * self.true_positive + self.false_positive + self.false_negative
        return 2 * self.true_positive / denominator if denominator else float("nan")

    @property
    def kappa(self) -> float:
        """Cohen's kappa: (observed - chance agreement) / (1 - chance agreement)."""
        return cohen_kappa(self.true_positive, self.false_positive, self.false_negative, self.true_negative)

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """True positive, false positive, false negative, true negative."""
        return self.true_positive, self.false_positive, self.false_negative, self.true_negative

    def __add__(self, other: FrameAgreement) -> FrameAgreement:
        """Pooled counts of two comparisons (e.g. over videos); the pooled counts have no interval yet."""
        return FrameAgreement(
            self.true_positive + other.true_positive,
            self.false_positive + other.false_positive,
            self.false_negative + other.false_negative,
            self.true_negative + other.true_negative,
            self.n_ignored + other.n_ignored,
            dict(self.params),
        )

    def to_dict(self) -> dict[str, Any]:
        """Counts and statistics as a flat dict."""
        return {
            "n_frames": self.n_frames,
            "n_ignored": self.n_ignored,
            "true_positive": self.true_positive,
            "false_positive": self.false_positive,
            "false_negative": self.false_negative,
            "true_negative": self.true_negative,
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "kappa": self.kappa,
            "accuracy_ci": self.accuracy_ci,
            "kappa_ci": self.kappa_ci,
            "ci_method": self.ci_method,
        }


def cohen_kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa of a 2x2 confusion table; NaN when chance agreement is 1 (both constant and equal)."""
    from tracking.evaluation.intervals import count_statistics  # scipy: loaded on first use

    return float(count_statistics(np.array([tp, fp, fn, tn], dtype=np.float64))["kappa"])


def bootstrap_frame_agreement(units: Sequence[FrameAgreement], unit: str) -> FrameAgreement:
    """The pooled counts of ``units`` with percentile-bootstrap intervals of accuracy and kappa.

    ``unit`` names what a unit is (e.g. 'videos', '20-s blocks') for the interval's description.

    Notes
    -----
    :func:`tracking.evaluation.intervals.bootstrap_count_intervals`: units resampled whole, fixed seed.
    """
    from tracking.evaluation.intervals import bootstrap_count_intervals  # scipy: loaded on first use

    intervals = bootstrap_count_intervals(np.array([part.counts for part in units], dtype=np.float64))
    return dataclasses.replace(
        _pooled(units),
        accuracy_ci=intervals["accuracy"],
        kappa_ci=intervals["kappa"],
        ci_method=f"bootstrap over {len(units)} {unit}",
    )


def resampling_units(videos: Sequence[Unit], blocks: Sequence[Unit]) -> tuple[Sequence[Unit], str] | None:
    """The units a per-frame bootstrap resamples, and their name; None when there are too few for one.

    Videos when there are at least :data:`MIN_VIDEOS`, else the contiguous time ``blocks`` when there are
    at least :data:`MIN_BLOCKS`.
    """
    if len(videos) >= MIN_VIDEOS:
        return videos, "videos"
    if len(blocks) >= MIN_BLOCKS:
        return blocks, f"{BLOCK_S:g}-s blocks"
    return None


def agreement_with_intervals(
    per_video: Sequence[FrameAgreement], blocks: Sequence[FrameAgreement]
) -> FrameAgreement:
    """Pooled per-frame agreement of several videos with 95% intervals over :func:`resampling_units`.

    ``blocks`` are the videos' contiguous time blocks (of :func:`frame_agreement_by_block`); with too few
    videos and blocks, no interval.
    """
    units = resampling_units(per_video, blocks)
    if units is None:
        return _pooled(per_video)
    pooled = bootstrap_frame_agreement(*units)
    return dataclasses.replace(pooled, n_ignored=sum(part.n_ignored for part in per_video))


def _pooled(units: Sequence[FrameAgreement]) -> FrameAgreement:
    """The counts of several comparisons pooled."""
    if not units:
        raise ValueError("no frames compared")
    pooled = units[0]
    for part in units[1:]:
        pooled = pooled + part
    return pooled


def transition_mask(reference: np.ndarray, timestamps: np.ndarray, tolerance_s: float) -> np.ndarray:
    """Frames whose start time lies within ``tolerance_s`` of a change of state in ``reference``."""
    reference = np.asarray(reference, dtype=bool)
    ignore = np.zeros(reference.size, dtype=bool)
    if tolerance_s <= 0 or reference.size < 2:
        return ignore
    changes = timestamps[1:][reference[1:] != reference[:-1]]
    for time in changes:
        ignore |= np.abs(timestamps - time) <= tolerance_s + 1e-9
    return ignore


def frame_agreement(
    reference: np.ndarray,
    other: np.ndarray,
    *,
    fps: float | None = None,
    timestamps: np.ndarray | None = None,
    tolerance_s: float = 0.0,
    valid: np.ndarray | None = None,
) -> FrameAgreement:
    """Compare two per-frame immobility scorings (bool arrays of one length), optionally ignoring transitions.

    ``valid`` (bool) limits the comparison to some frames (e.g. the scored window, or frames both scorings
    know); ``tolerance_s`` > 0 ignores frames within that many seconds of a reference transition and needs
    ``timestamps`` or ``fps``.
    """
    reference, other, keep, _ = _compared_frames(reference, other, fps, timestamps, tolerance_s, valid)
    return _counted(reference[keep], other[keep], int((~keep).sum()), tolerance_s)


def frame_agreement_by_block(
    reference: np.ndarray,
    other: np.ndarray,
    *,
    timestamps: np.ndarray,
    tolerance_s: float = 0.0,
    valid: np.ndarray | None = None,
    block_s: float = BLOCK_S,
) -> tuple[FrameAgreement, list[FrameAgreement]]:
    """:func:`frame_agreement` of the whole, and of each contiguous ``block_s`` block (for a bootstrap).

    One pass: each compared frame is counted in its block, and the whole is the sum of the blocks (with
    the frames left out). Blocks follow :func:`time_blocks`; a block without compared frames is left out.
    """
    reference, other, keep, times = _compared_frames(reference, other, None, timestamps, tolerance_s, valid)
    n_ignored = int((~keep).sum())
    if not keep.any():
        return _counted(reference[keep], other[keep], n_ignored, tolerance_s), []
    block = time_blocks(times[keep], block_s)
    # outcome codes 0..3 are tn, fp, fn, tp; reordered below to the counts' order tp, fp, fn, tn
    outcome = 2 * reference[keep].astype(np.int64) + other[keep].astype(np.int64)
    counts = np.bincount(4 * block + outcome, minlength=4 * (int(block.max()) + 1)).reshape(-1, 4)
    counts = counts[counts.sum(axis=1) > 0][:, [3, 1, 2, 0]]
    parts = [_from_counts(row, 0, tolerance_s) for row in counts]
    return _from_counts(counts.sum(axis=0), n_ignored, tolerance_s), parts


def time_blocks(times: np.ndarray, block_s: float = BLOCK_S) -> np.ndarray:
    """The contiguous block of each frame: ``block_s`` seconds from the first frame, numbered from 0."""
    seconds = np.asarray(times, dtype=np.float64)
    blocks: np.ndarray = np.floor((seconds - seconds[0]) / block_s).astype(np.int64)
    return blocks


def _compared_frames(
    reference: np.ndarray,
    other: np.ndarray,
    fps: float | None,
    timestamps: np.ndarray | None,
    tolerance_s: float,
    valid: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both scorings as bool arrays, the frames compared (valid, away from transitions) and frame times."""
    reference = np.asarray(reference, dtype=bool)
    other = np.asarray(other, dtype=bool)
    if reference.shape != other.shape or reference.ndim != 1:
        raise ValueError(f"scorings must be 1-D and equally long, got {reference.shape} and {other.shape}")
    keep = np.ones(reference.size, dtype=bool) if valid is None else np.asarray(valid, dtype=bool).copy()
    if keep.shape != reference.shape:
        raise ValueError(f"valid has shape {keep.shape}, the scorings {reference.shape}")
    if timestamps is None:
        if tolerance_s > 0 and fps is None:
            raise ValueError("tolerance_s needs timestamps or fps")
        timestamps = np.arange(reference.size) / (fps or 1.0)
    times = np.asarray(timestamps, dtype=np.float64)
    if tolerance_s > 0:
        keep &= ~transition_mask(reference, times, tolerance_s)
    return reference, other, keep, times


def _counted(reference: np.ndarray, other: np.ndarray, n_ignored: int, tolerance_s: float) -> FrameAgreement:
    """The confusion counts of two bool arrays (immobile is positive)."""
    counts = ((reference & other).sum(), (~reference & other).sum(), (reference & ~other).sum())
    return _from_counts(np.array([*counts, (~reference & ~other).sum()]), n_ignored, tolerance_s)


def _from_counts(counts: np.ndarray, n_ignored: int, tolerance_s: float) -> FrameAgreement:
    """A :class:`FrameAgreement` of confusion counts tp, fp, fn, tn (immobile is positive)."""
    tp, fp, fn, tn = (int(count) for count in counts)
    return FrameAgreement(
        tp, fp, fn, tn, n_ignored, {"tolerance_s": float(tolerance_s), "positive_class": "immobile"}
    )


@dataclass(frozen=True)
class SecondsAgreement:
    """Agreement of per-video immobility seconds: Pearson r, Bland-Altman bias and limits, their intervals.

    Below :data:`MIN_VIDEOS` videos the statistics are NaN and the intervals None (see the module Notes).
    """

    n: int
    pearson_r: float
    bias: float
    sd_difference: float
    lower_limit: float
    upper_limit: float
    mean_reference: float
    mean_other: float
    pearson_ci: Interval | None = None
    bias_ci: Interval | None = None
    lower_limit_ci: Interval | None = None
    upper_limit_ci: Interval | None = None

    @property
    def enough_videos(self) -> bool:
        """Whether there are enough videos for per-video statistics."""
        return self.n >= MIN_VIDEOS

    def to_dict(self) -> dict[str, Any]:
        """The statistics as a flat dict."""
        return dict(self.__dict__)


def seconds_agreement(reference_s: Sequence[float], other_s: Sequence[float]) -> SecondsAgreement:
    """Pearson r and Bland-Altman statistics of two scorings' seconds per video (differences other - ref).

    The SD of the differences uses ``n - 1``; the limits are bias +- 1.96 SD. Pearson's r is NaN when either
    scoring is constant; r, the bias and the limits are NaN below :data:`MIN_VIDEOS` videos.

    Notes
    -----
    Intervals (:mod:`tracking.evaluation.intervals`): r by Fisher's z; the bias by Student's t; each limit
    with the approximate standard error of Bland & Altman (1999, Stat. Methods Med. Res. 8:135).
    """
    from tracking.evaluation.intervals import bland_altman_intervals, pearson_interval  # scipy: on first use

    ref = np.asarray(reference_s, dtype=np.float64)
    oth = np.asarray(other_s, dtype=np.float64)
    if ref.shape != oth.shape or ref.ndim != 1:
        raise ValueError(f"seconds must be two 1-D sequences of one length, got {ref.shape} and {oth.shape}")
    if not (np.isfinite(ref).all() and np.isfinite(oth).all()):
        raise ValueError("seconds must be finite numbers (drop videos with no score first)")
    n = ref.size
    means = (float(ref.mean()) if n else float("nan"), float(oth.mean()) if n else float("nan"))
    if n < MIN_VIDEOS:
        nan = float("nan")
        return SecondsAgreement(n, nan, nan, nan, nan, nan, *means)
    difference = oth - ref
    bias, sd = float(difference.mean()), float(difference.std(ddof=1))
    constant = ref.std() == 0 or oth.std() == 0
    r = float("nan") if constant else float(np.corrcoef(ref, oth)[0, 1])
    bland = bland_altman_intervals(difference.tolist())
    return SecondsAgreement(
        n,
        r,
        bias,
        sd,
        bias - 1.96 * sd,
        bias + 1.96 * sd,
        *means,
        pearson_ci=pearson_interval(r, n) if n >= MIN_VIDEOS_FISHER else None,
        bias_ci=bland["bias"],
        lower_limit_ci=bland["lower_limit"],
        upper_limit_ci=bland["upper_limit"],
    )
