"""QC plot: per animal, the scored signal over time, the threshold, the immobile bouts and the scored window.

Drawn on a :func:`tracking.figures.agg_figure` (no pyplot, no GUI, no global state), so it is safe in worker
processes and threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes

from tracking.figures import agg_figure, save_png
from tracking.rules.summary import AnimalResult

#: Figure width and height per animal panel, in inches, at :data:`DPI`.
WIDTH_IN = 12.0
PANEL_HEIGHT_IN = 2.2
DPI = 100


def qc_figure_size(n_animals: int, dpi: int = DPI) -> tuple[int, int]:
    """Width and height in pixels of the QC PNG for ``n_animals`` panels."""
    return round(WIDTH_IN * dpi), round(PANEL_HEIGHT_IN * max(n_animals, 1) * dpi)


def plot_qc(results: Sequence[AnimalResult], path: str | Path, *, title: str = "", dpi: int = DPI) -> Path:
    """Write a PNG with one panel per animal: signal, threshold, immobile bouts shaded, scored window marked.

    Notes
    -----
    The plotted signal is the one the threshold was applied to (after smoothing). The y axis stops at the
    99.5th percentile of the signal or three times the threshold, whichever is higher, so rare spikes do not
    flatten the region around the threshold. Bouts are drawn as one collection per panel and the window edges
    as dashed lines; the time outside the window is greyed.
    """
    if not results:
        raise ValueError("plot_qc needs at least one animal's result")
    width, height = qc_figure_size(len(results), dpi)
    figure = agg_figure(width / dpi, height / dpi, dpi, title=title)
    axes = figure.subplots(len(results), 1, sharex=True, squeeze=False)[:, 0]
    for ax, result in zip(axes, results, strict=True):
        _panel(ax, result)
    axes[-1].set_xlabel("time from test start (s)")
    return save_png(figure, path, dpi)


def _panel(ax: Axes, result: AnimalResult) -> None:
    frames = result.frames
    finite = frames.signal[np.isfinite(frames.signal)]
    top = max(
        float(np.quantile(finite, 0.995)) if finite.size else 1.0,
        3.0 * result.threshold if np.isfinite(result.threshold) else 0.0,
    )
    top = top if top > 0 else 1.0
    end = float(frames.time_s[-1] + frames.duration_s[-1]) if frames.n_frames else result.window_end_s
    ax.broken_barh(
        list(zip(frames.bouts.start_s, frames.bouts.duration_s, strict=True)),
        (0, top * 1.05),
        facecolors="tab:orange",
        alpha=0.35,
        label="immobile",
    )
    ax.plot(frames.time_s, frames.signal, color="tab:blue", linewidth=0.6, label="signal")
    if np.isfinite(result.threshold):
        ax.axhline(
            result.threshold, color="tab:red", linewidth=1.0, label=f"threshold {result.threshold:.3g}"
        )
    for edge in (result.window_start_s, result.window_end_s):
        ax.axvline(edge, color="black", linestyle="--", linewidth=0.8)
    ax.axvspan(0, result.window_start_s, color="grey", alpha=0.12, linewidth=0)
    ax.axvspan(result.window_end_s, max(end, result.window_end_s), color="grey", alpha=0.12, linewidth=0)
    ax.set_xlim(0, max(end, result.window_end_s))
    ax.set_ylim(0, top * 1.05)
    trust = {True: "trusted", False: "NOT trusted", None: "fixed"}[result.threshold_trustworthy]
    ax.set_title(
        f"{result.animal or 'animal'}: {result.immobility_s:.1f} s immobile in "
        f"{result.window_start_s:g}-{result.window_end_s:g} s, {result.n_bouts} bouts, threshold {trust}",
        fontsize=9,
        loc="left",
    )
    ax.legend(loc="upper right", fontsize=7, ncols=3)
