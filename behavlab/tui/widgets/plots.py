"""Terminal plots (textual-plotext): one animal's immobility per minute, and an outcome's values by arm."""

import math
from collections.abc import Mapping, Sequence

from textual_plotext import PlotextPlot

MINUTE_S = 60.0
STRIP_WIDTH = 0.5
AXIS_TICKS = 5


def minute_bars(plot: PlotextPlot, minutes: Sequence[float], title: str) -> None:
    """Seconds immobile in each minute of the test, as bars on a 0-60 s axis.

    A minute the video does not cover (NaN) has no bar, and there are empty axes without a score.
    """
    plt = plot.plt
    plt.clear_figure()
    plt.title(title)
    known = [(minute, seconds) for minute, seconds in enumerate(minutes, start=1) if math.isfinite(seconds)]
    if known:
        plt.bar([str(minute) for minute, _ in known], [round(seconds, 1) for _, seconds in known], width=0.6)
    plt.ylim(0, MINUTE_S)
    plt.xlabel("minute")
    plot.refresh()


def nice_step(top: float, ticks: int = AXIS_TICKS) -> float:
    """A tick step of 1, 2 or 5 times a power of ten that covers 0 to `top` in about `ticks` steps."""
    raw = top / ticks
    # An int for steps of 1 or more (whole-number tick labels), a float below.
    power: float = 10 ** math.floor(math.log10(raw))
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)


def strip_positions(n: int, centre: float) -> list[float]:
    """X positions of n points spread evenly around `centre`, so tied values stay visible."""
    if n == 1:
        return [centre]
    return [centre - STRIP_WIDTH / 2 + STRIP_WIDTH * index / (n - 1) for index in range(n)]


def group_strip(
    plot: PlotextPlot, values: Mapping[str, Sequence[float]], means: Mapping[str, float], title: str
) -> None:
    """Every unit's value above its arm's name, over a bar at the arm's mean; the axis starts at zero."""
    plt = plot.plt
    plt.clear_figure()
    plt.title(title)
    arms = list(values)
    half = STRIP_WIDTH / 2 + 0.1
    for position, arm in enumerate(arms, start=1):
        points = sorted(values[arm])
        if not points:
            continue
        if math.isfinite(mean := means.get(arm, math.nan)):
            plt.plot([position - half, position + half], [mean, mean], marker="─", color="gray")
        plt.scatter(strip_positions(len(points), position), points, marker="●", color="cyan")
    everything = [value for arm in arms for value in values[arm]]
    if everything and min(everything) >= 0 and max(everything) > 0:
        step = nice_step(max(everything) * 1.05)
        top = step * math.ceil(max(everything) * 1.05 / step)
        plt.ylim(0, top)
        plt.yticks([step * k for k in range(round(top / step) + 1)])
    if arms:
        plt.xticks(list(range(1, len(arms) + 1)), arms)
        plt.xlim(0.4, len(arms) + 0.6)
    plot.refresh()
