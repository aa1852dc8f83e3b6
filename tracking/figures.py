"""Matplotlib figures for the plots tracking writes: the object API on an Agg canvas, saved as PNG.

No pyplot, no GUI and no global state, so drawing is safe in worker processes and threads. Matplotlib is
imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def agg_figure(width_in: float, height_in: float, dpi: int, *, title: str = "") -> Figure:
    """A figure with constrained layout on its own Agg canvas.

    Parameters
    ----------
    width_in, height_in
        The figure's size, in inches.
    dpi
        Pixels per inch.
    title
        The figure's title above all panels; none when empty.

    Returns
    -------
    Figure
        The figure, ready for ``subplots``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    if title:
        figure.suptitle(title)
    return figure


def save_png(figure: Figure, path: str | Path, dpi: int) -> Path:
    """Write ``figure`` as a PNG of ``dpi`` pixels per inch to ``path``, creating its folder; returns it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=dpi)
    return path
