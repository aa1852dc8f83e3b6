"""The agreement of scorings: two raters, a rater and the machine, or several raters and machines at once.

A thin layer over :mod:`tracking.evaluation.comparison`, :mod:`tracking.evaluation.multirater` and
:mod:`tracking.evaluation.raters`: it reads the sources (a table with a rater column gives one source per
rater), checks the request, writes the figure, and turns the library's input errors into
:class:`~behavlab.errors.BehavlabError` messages. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from behavlab.errors import InvalidInputError, NotFoundError
from behavlab.services.library_errors import tracking_errors
from tracking.evaluation.agreement import MIN_VIDEOS as AGREEMENT_MIN_VIDEOS
from tracking.rules.presets import FST_SCORED_WINDOW_S

if TYPE_CHECKING:
    from tracking.evaluation.comparison import Comparison
    from tracking.evaluation.multirater import SourcesAgreement
    from tracking.evaluation.scorings import Scoring


@dataclass(frozen=True, eq=False)
class AgreementRun:
    """The agreement of two sources (``pair``) or of more (``several``), the source names and reading notes.

    ``alignment`` says how a table of several raters was placed in time (None when there was none).
    """

    names: tuple[str, ...]
    pair: Comparison | None
    several: SourcesAgreement | None
    notes: tuple[str, ...]
    alignment: str | None


def _check_request(
    window_start_s: float, window_end_s: float | None, tolerance_s: float, grid_fps: float
) -> None:
    """Refuse a negative tolerance, a grid without frames, or a window ending before it starts."""
    if tolerance_s < 0:
        raise InvalidInputError(f"--tolerance-s must be >= 0, got {tolerance_s:g}")
    if not grid_fps > 0:
        raise InvalidInputError(f"--fps must be > 0, got {grid_fps:g}")
    if window_end_s is not None and window_end_s <= window_start_s:
        raise InvalidInputError(
            f"the window ends at {window_end_s:g} s, not after its start {window_start_s:g} s"
        )


def _read_sources(
    paths: Sequence[str | Path], behavior: str | None, rater_column: str | None, label_column: str | None
) -> tuple[dict[str, list[Scoring]], list[str], bool]:
    """Every source by name (a rater table gives one per rater), reading notes, whether a table had raters."""
    from tracking.evaluation import raters
    from tracking.evaluation.scorings import read_scorings

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise NotFoundError(f"no such file or folder: {', '.join(missing)}")
    sources: dict[str, list[Scoring]] = {}
    notes: list[str] = []
    with_raters = False
    for path in map(Path, paths):
        column = raters.rater_column(path, rater_column)
        if column is None:
            named = {path.name: read_scorings(path, behavior=behavior, label_column=label_column)}
        else:
            with_raters = True
            table = raters.read_rater_bouts(path, column, behavior=behavior)
            named, notes = dict(table.raters), [*notes, *table.notes]
        for name, scorings in named.items():
            unique = name if name not in sources else f"{name} ({path})"
            sources[unique] = scorings
    if rater_column is not None and not with_raters:
        raise InvalidInputError(f"--rater-column {rater_column!r}: no source has such a column")
    return sources, notes, with_raters


def agreement_of(
    paths: Sequence[str | Path],
    *,
    reference: str | None = None,
    rater_column: str | None = None,
    window_start_s: float = FST_SCORED_WINDOW_S[0],
    window_end_s: float | None = FST_SCORED_WINDOW_S[1],
    tolerance_s: float = 0.0,
    grid_fps: float = 30.0,
    png: str | Path | None = None,
    behavior: str | None = "immobil",
    label_column: str | None = None,
) -> AgreementRun:
    """Agreement of every source in ``paths``: two give one comparison, more give every pair and overall.

    A CSV table with a rater column (``Experimenter``, ``rater``, ``observer``, ``scorer`` or
    ``rater_column``) counts as one source per rater. ``reference`` names the source listed first in each
    of its pairs (with two sources, the first is the reference unless ``reference`` names the second).
    ``png`` writes the scatter and Bland-Altman figure of two sources. ``label_column`` names the label
    column of per-frame label tables.
    """
    from tracking.evaluation import comparison, multirater, raters

    _check_request(window_start_s, window_end_s, tolerance_s, grid_fps)
    with tracking_errors():
        sources, notes, with_raters = _read_sources(paths, behavior, rater_column, label_column)
        names = tuple(sources)
        if len(names) < 2:
            raise InvalidInputError(f"agreement needs two scorings or more; found {', '.join(names)}")
        if reference is not None and reference not in sources:
            raise InvalidInputError(f"--reference {reference!r} is none of the sources: {', '.join(names)}")
        if len(names) > 2:
            if png is not None:
                raise InvalidInputError("--png draws two scorings; give two sources for the figure")
            several = multirater.compare_sources(
                sources,
                reference=reference,
                window_start_s=window_start_s,
                window_end_s=window_end_s,
                tolerance_s=tolerance_s,
                grid_fps=grid_fps,
            )
            return AgreementRun(names, None, several, tuple(notes), raters.ALIGNMENT if with_raters else None)
        first, second = names[::-1] if reference == names[1] else names
        pair = comparison.compare_scorings(
            sources[first],
            sources[second],
            window_start_s=window_start_s,
            window_end_s=window_end_s,
            tolerance_s=tolerance_s,
            grid_fps=grid_fps,
        )
    if png is not None:
        _plot(pair, png, (first, second))
    return AgreementRun((first, second), pair, None, tuple(notes), raters.ALIGNMENT if with_raters else None)


def _plot(result: Comparison, png: str | Path, labels: tuple[str, str]) -> None:
    from tracking.evaluation.agreement_plot import plot_agreement

    rows = result.rows.dropna(subset=["first_s", "second_s"])
    plot_agreement(rows["first_s"].tolist(), rows["second_s"].tolist(), png, labels=labels, title="Agreement")


__all__ = ["AGREEMENT_MIN_VIDEOS", "AgreementRun", "agreement_of"]
