"""QC plot: per animal, the signal over video time, the threshold, immobile bouts, test start, scored window.

Drawn on a :func:`tracking.figures.agg_figure` (no pyplot, no GUI, no global state), so it is safe in worker
processes and threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tracking.figures import agg_figure, save_png
from tracking.rules.result import VideoScore
from tracking.rules.starts import AnimalStart
from tracking.rules.summary import AnimalResult
from tracking.video.overlay import AFTER_START_S

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Figure width and height per animal panel, in inches, at :data:`DPI`.
WIDTH_IN = 12.0
PANEL_HEIGHT_IN = 2.2
DPI = 100
#: The x axis of every panel: the video's own clock, shared by the animals of a video with staggered starts.
X_LABEL = "video time (s); each animal's test and window count from its own start"
_START_COLOUR = "tab:green"


def qc_figure_size(n_animals: int, dpi: int = DPI) -> tuple[int, int]:
    """Width and height in pixels of the QC PNG for ``n_animals`` panels."""
    return round(WIDTH_IN * dpi), round(PANEL_HEIGHT_IN * max(n_animals, 1) * dpi)


def start_label(start: AnimalStart) -> str:
    """How a test start is labelled on the QC plot and the ROI picture.

    Parameters
    ----------
    start
        The animal's test start (s of video time) and its source.

    Returns
    -------
    str
        E.g. ``"start 23.4 s, detected (conf 0.97)"``, ``"start 12.0 s, entered"`` or ``"start 0.0 s,
        video start"``.
    """
    text = f"start {start.start_s:.1f} s, {start.source.value}"
    if start.confidence is not None:
        text += f" (conf {start.confidence:.2f})"
    return text


def roi_start_notes(score: VideoScore) -> dict[str, str]:
    """Each ROI's note on the ROI picture, by label: its animal's :func:`start_label`, or why it has none."""
    notes = {result.animal: start_label(result.start) for result in score.animals}
    notes.update(dict.fromkeys(score.failed, "no test start: not scored"))
    return notes


def roi_picture_time(score: VideoScore) -> float:
    """Video time (s) of the ROI picture's frame: just after the latest test start, so every animal is in."""
    return max((result.start.start_s for result in score.animals), default=0.0) + AFTER_START_S


def qc_figure(results: Sequence[AnimalResult], *, title: str = "", dpi: int = DPI) -> Figure:
    """The QC figure: one panel per animal, all on the video's time axis (s).

    Parameters
    ----------
    results
        The animals of one video.
    title
        The figure's title (the video's name).
    dpi
        Pixels per inch.

    Returns
    -------
    Figure
        One panel per animal, in the order of ``results``, sharing the x axis (video time, s).
    """
    if not results:
        raise ValueError("plot_qc needs at least one animal's result")
    width, height = qc_figure_size(len(results), dpi)
    figure = agg_figure(width / dpi, height / dpi, dpi, title=title)
    axes = figure.subplots(len(results), 1, sharex=True, squeeze=False)[:, 0]
    for ax, result in zip(axes, results, strict=True):
        _panel(ax, result)
    axes[-1].set_xlabel(X_LABEL)
    return figure


def plot_qc(results: Sequence[AnimalResult], path: str | Path, *, title: str = "", dpi: int = DPI) -> Path:
    """Write :func:`qc_figure` as a PNG at ``path``; returns the path.

    Notes
    -----
    The x axis is video time (s), so the animals of one video with staggered starts share it. The plotted
    signal is the one the threshold was applied to (after smoothing). The y axis stops at the 99.5th
    percentile of the signal or three times the threshold, whichever is higher, so rare spikes do not flatten
    the region around the threshold. Bouts are drawn as one collection per panel; the test start is a solid
    green line labelled with its source (and confidence when detected); the scored window's edges (test start
    + the preset's window) are dashed lines, the time outside the window is greyed, the lead-in before the
    test start darker.
    """
    return save_png(qc_figure(results, title=title, dpi=dpi), path, dpi)


def _panel(ax: Axes, result: AnimalResult) -> None:
    frames = result.frames
    finite = frames.signal[np.isfinite(frames.signal)]
    top = max(
        float(np.quantile(finite, 0.995)) if finite.size else 1.0,
        3.0 * result.threshold if np.isfinite(result.threshold) else 0.0,
    )
    top = top if top > 0 else 1.0
    end = float(frames.time_s[-1] + frames.duration_s[-1]) if frames.n_frames else result.window_end_s
    right = max(end, result.window_end_s)
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
    _window(ax, result, right)
    ax.set_xlim(0, right)
    ax.set_ylim(0, top * 1.05)
    trust = {True: "trusted", False: "NOT trusted", None: "fixed"}[result.threshold_trustworthy]
    ax.set_title(
        f"{result.animal or 'animal'}: {result.immobility_s:.1f} s immobile in "
        f"{result.window_start_s:g}-{result.window_end_s:g} s, {result.n_bouts} bouts, threshold {trust}",
        fontsize=9,
        loc="left",
    )
    ax.legend(loc="upper right", fontsize=7, ncols=4)


def _window(ax: Axes, result: AnimalResult, right: float) -> None:
    """The test start (line and label), the window's dashed edges and the greyed time outside the window."""
    start = result.start.start_s
    ax.axvspan(0, start, color="grey", alpha=0.25, linewidth=0)
    ax.axvspan(start, result.window_start_s, color="grey", alpha=0.12, linewidth=0)
    ax.axvspan(result.window_end_s, right, color="grey", alpha=0.12, linewidth=0)
    for edge in (result.window_start_s, result.window_end_s):
        ax.axvline(edge, color="black", linestyle="--", linewidth=0.8)
    label = start_label(result.start)
    ax.axvline(start, color=_START_COLOUR, linewidth=1.4, label=label)
    ax.annotate(
        label,
        (start, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -3),
        textcoords="offset points",
        va="top",
        fontsize=7,
        color=_START_COLOUR,
    )
