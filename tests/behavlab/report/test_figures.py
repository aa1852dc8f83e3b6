"""Figures: deterministic PNGs of sensible size, grouped by arm only when unmasked."""

from pathlib import Path

import numpy as np
from matplotlib.image import imread

from behavlab.report.figures import arm_colours, draw_figures, outcome_figure, slug
from tests.behavlab.report import synthetic_report


def test_figures_are_deterministic_pngs_of_sensible_size(tmp_path: Path) -> None:
    data = synthetic_report(sexes="M", periods=1)
    rows = data.outcomes.loc[data.outcomes["outcome"] == "fst_immobility_s"]
    first = outcome_figure(rows, tmp_path / "a.png", arms=data.arm_names, ylabel="s", title="t")
    second = outcome_figure(rows, tmp_path / "b.png", arms=data.arm_names, ylabel="s", title="t")
    assert first.read_bytes() == second.read_bytes()
    height, width = imread(first).shape[:2]
    assert 300 <= width <= 1200 and 300 <= height <= 800


def test_every_figure_is_drawn_for_blind_and_unmasked_studies(tmp_path: Path) -> None:
    for blinded in (False, True):
        data = synthetic_report(blinded=blinded)
        figures = draw_figures(data, tmp_path / str(blinded))
        keys = [figure.key for figure in figures]
        assert ("outcome", "fst_immobility_s", "motion", None) in keys
        assert ("per_minute", "motion") in keys and ("periods", None) in keys
        assert len(keys) == 8 and all(figure.path.is_file() for figure in figures)
        assert ("blind report" in figures[0].caption) is blinded
        blind_strip = imread(figures[0].path)
        assert np.asarray(blind_strip).ndim == 3


def test_names_and_colours() -> None:
    assert slug("fst_immobility_s", None, "day 1") == "fst-immobility-s-day-1"
    assert slug(None) == "figure"
    colours = arm_colours(["vehicle", "ketamine", "esketamine"])
    assert colours["vehicle"] == "0.45" and len(set(colours.values())) == 3
