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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracking.figures import agg_figure, save_png


@dataclass(frozen=True)
class FrameAgreement:
    """Per-frame agreement of two scorings: confusion counts (immobile is positive), accuracy, F1, kappa."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int
    n_ignored: int
    params: Mapping[str, Any] = field(default_factory=dict)

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

    def __add__(self, other: FrameAgreement) -> FrameAgreement:
        """Pooled counts of two comparisons (e.g. over videos)."""
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
        }


def cohen_kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa of a 2x2 confusion table; NaN when chance agreement is 1 (both constant and equal)."""
    n = tp + fp + fn + tn
    if n == 0:
        return float("nan")
    observed = (tp + tn) / n
    chance = ((tp + fn) * (tp + fp) + (fp + tn) * (fn + tn)) / n**2
    return (observed - chance) / (1 - chance) if chance < 1 else float("nan")


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
    reference = np.asarray(reference, dtype=bool)
    other = np.asarray(other, dtype=bool)
    if reference.shape != other.shape or reference.ndim != 1:
        raise ValueError(f"scorings must be 1-D and equally long, got {reference.shape} and {other.shape}")
    keep = np.ones(reference.size, dtype=bool) if valid is None else np.asarray(valid, dtype=bool).copy()
    if keep.shape != reference.shape:
        raise ValueError(f"valid has shape {keep.shape}, the scorings {reference.shape}")
    if tolerance_s > 0:
        if timestamps is None:
            if fps is None:
                raise ValueError("tolerance_s needs timestamps or fps")
            timestamps = np.arange(reference.size) / fps
        keep &= ~transition_mask(reference, np.asarray(timestamps, dtype=np.float64), tolerance_s)
    r, o = reference[keep], other[keep]
    return FrameAgreement(
        int((r & o).sum()),
        int((~r & o).sum()),
        int((r & ~o).sum()),
        int((~r & ~o).sum()),
        int((~keep).sum()),
        {"tolerance_s": float(tolerance_s), "positive_class": "immobile"},
    )


@dataclass(frozen=True)
class SecondsAgreement:
    """Agreement of per-video immobility seconds: Pearson r, Bland-Altman bias and 95% limits of agreement."""

    n: int
    pearson_r: float
    bias: float
    sd_difference: float
    lower_limit: float
    upper_limit: float
    mean_reference: float
    mean_other: float

    def to_dict(self) -> dict[str, Any]:
        """The statistics as a flat dict."""
        return dict(self.__dict__)


def seconds_agreement(reference_s: Sequence[float], other_s: Sequence[float]) -> SecondsAgreement:
    """Pearson r and Bland-Altman statistics of two scorings' seconds per video (differences other - ref).

    The SD of the differences uses ``n - 1``; the limits are bias +- 1.96 SD. Pearson's r is NaN when either
    scoring is constant or there are fewer than two videos.
    """
    ref = np.asarray(reference_s, dtype=np.float64)
    oth = np.asarray(other_s, dtype=np.float64)
    if ref.shape != oth.shape or ref.ndim != 1:
        raise ValueError(f"seconds must be two 1-D sequences of one length, got {ref.shape} and {oth.shape}")
    if not (np.isfinite(ref).all() and np.isfinite(oth).all()):
        raise ValueError("seconds must be finite numbers (drop videos with no score first)")
    n = ref.size
    difference = oth - ref
    bias = float(difference.mean()) if n else float("nan")
    sd = float(difference.std(ddof=1)) if n > 1 else float("nan")
    constant = n < 2 or ref.std() == 0 or oth.std() == 0
    r = float("nan") if constant else float(np.corrcoef(ref, oth)[0, 1])
    return SecondsAgreement(
        n=n,
        pearson_r=r,
        bias=bias,
        sd_difference=sd,
        lower_limit=bias - 1.96 * sd,
        upper_limit=bias + 1.96 * sd,
        mean_reference=float(ref.mean()) if n else float("nan"),
        mean_other=float(oth.mean()) if n else float("nan"),
    )


def plot_agreement(
    reference_s: Sequence[float],
    other_s: Sequence[float],
    path: str | Path,
    *,
    labels: tuple[str, str] = ("reference", "other"),
    title: str = "",
    dpi: int = 100,
) -> Path:
    """Write a PNG: seconds scatter with the identity line, and the Bland-Altman plot with bias and limits.

    Drawn on a :func:`tracking.figures.agg_figure` (no pyplot), as the QC plot is.
    """
    stats = seconds_agreement(reference_s, other_s)
    ref = np.asarray(reference_s, dtype=np.float64)
    oth = np.asarray(other_s, dtype=np.float64)
    figure = agg_figure(10, 4.5, dpi, title=title)
    scatter, bland = figure.subplots(1, 2)
    top = max(float(np.max(ref, initial=0)), float(np.max(oth, initial=0)), 1.0) * 1.05
    scatter.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=0.8, label="identity")
    scatter.scatter(ref, oth, s=18, color="tab:blue")
    scatter.set(xlim=(0, top), ylim=(0, top), xlabel=f"{labels[0]} (s)", ylabel=f"{labels[1]} (s)")
    scatter.set_title(f"immobility, n = {stats.n}, Pearson r = {stats.pearson_r:.3f}", fontsize=10)
    scatter.legend(loc="upper left", fontsize=8)
    mean = (ref + oth) / 2
    bland.scatter(mean, oth - ref, s=18, color="tab:blue")
    for value, style, name in (
        (stats.bias, "-", f"bias {stats.bias:+.1f} s"),
        (stats.lower_limit, "--", f"95% limits {stats.lower_limit:+.1f} s"),
        (stats.upper_limit, "--", f"and {stats.upper_limit:+.1f} s"),
    ):
        if np.isfinite(value):
            bland.axhline(value, color="tab:red", linestyle=style, linewidth=1.0, label=name)
    bland.axhline(0, color="grey", linewidth=0.6)
    bland.set(xlabel="mean of the two (s)", ylabel=f"{labels[1]} - {labels[0]} (s)")
    bland.set_title("Bland-Altman", fontsize=10)
    bland.legend(loc="upper right", fontsize=8)
    return save_png(figure, path, dpi)
