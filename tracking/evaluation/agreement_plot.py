"""The figure of two scorings' per-video seconds: scatter with the identity line, and Bland-Altman."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tracking.evaluation.agreement import MIN_VIDEOS, seconds_agreement
from tracking.figures import agg_figure, save_png


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
    r_text = (
        f"Pearson r = {stats.pearson_r:.3f}" if stats.enough_videos else f"r needs >= {MIN_VIDEOS} videos"
    )
    scatter.set_title(f"immobility, n = {stats.n}, {r_text}", fontsize=10)
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
    if stats.enough_videos:
        bland.set_title("Bland-Altman", fontsize=10)
        bland.legend(loc="upper right", fontsize=8)
    else:
        bland.set_title(f"Bland-Altman: bias and limits need >= {MIN_VIDEOS} videos", fontsize=10)
    return save_png(figure, path, dpi)
