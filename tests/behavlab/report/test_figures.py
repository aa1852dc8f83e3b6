"""Figures: deterministic PNGs of sensible size, grouped by arm only when unmasked."""

from pathlib import Path

import numpy as np
from matplotlib.image import imread

from behavlab.report.figures import arm_colours, draw_figures, outcome_figure, slug
from behavlab.report.measures import IMMOBILITY_OUTCOME
from tests.behavlab.report import synthetic_report


def test_figures_are_deterministic_pngs_of_sensible_size(tmp_path: Path) -> None:
    data = synthetic_report(sexes="M", periods=1)
    rows = data.outcomes.loc[data.outcomes["outcome"] == IMMOBILITY_OUTCOME]
    first = outcome_figure(rows, tmp_path / "a.png", arms=data.arm_names, ylabel="s", title="t")
    second = outcome_figure(rows, tmp_path / "b.png", arms=data.arm_names, ylabel="s", title="t")
    assert first.read_bytes() == second.read_bytes()
    height, width = imread(first).shape[:2]
    assert 300 <= width <= 1200 and 300 <= height <= 800


def test_a_blind_study_gets_every_figure_ungrouped(tmp_path: Path) -> None:
    figures = draw_figures(synthetic_report(blinded=True, periods=2), tmp_path)
    keys = [figure.key for figure in figures]
    assert keys[0] == ("outcome", IMMOBILITY_OUTCOME, "motion", None)
    assert keys[-2:] == [("per_minute", "motion"), ("periods", None)]
    assert len(keys) == 7 and all(figure.path.is_file() for figure in figures)
    assert all("blind report" in figure.caption or "all animals" in figure.caption for figure in figures)
    assert np.asarray(imread(figures[0].path)).ndim == 3


def test_names_and_colours() -> None:
    assert slug("fst_immobility_s", None, "day 1") == "fst-immobility-s-day-1"
    assert slug(None) == "figure"
    colours = arm_colours(["vehicle", "ketamine", "esketamine"])
    assert colours["vehicle"] == "0.45" and len(set(colours.values())) == 3
