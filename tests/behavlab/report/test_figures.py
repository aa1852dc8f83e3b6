"""Figures: deterministic PNGs of sensible size, grouped by arm (and factor level) only when unmasked."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from behavlab.report import ArmInfo, ReportData
from behavlab.report import figures as figures_module
from behavlab.report.figures import (
    JITTER_HALF_WIDTH,
    NO_COHORT,
    NO_LEVEL,
    arm_colours,
    draw_figures,
    draw_strips,
    factor_levels,
    outcome_figure,
    slug,
    strip_groups,
)
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


DOSE_ARMS = ("vehicle", "ket3", "ket10", "ket30")
STRESS_LEVELS = ("control", "CUS")


def _with_arms(data: ReportData, names: tuple[str, ...]) -> ReportData:
    """The unmasked study with animal i in arm ``names[i % len(names)]``, the first arm the reference."""
    arm_of = {animal.code: names[i % len(names)] for i, animal in enumerate(data.animals)}
    per_animal = {"animals": data.animals, "exclusions": data.exclusions}
    return replace(
        data,
        arms=tuple(ArmInfo(name, "ketamine", 3.0 * i, reference=i == 0) for i, name in enumerate(names)),
        outcomes=data.outcomes.assign(arm=data.outcomes["code"].map(arm_of)),
        immobility_per_minute=data.immobility_per_minute.assign(
            arm=data.immobility_per_minute["code"].map(arm_of)
        ),
        emergency_unblindings=tuple(replace(e, arm=arm_of[e.code]) for e in data.emergency_unblindings),
        **{
            key: tuple(replace(record, arm=arm_of[str(record.code)]) for record in records)
            for key, records in per_animal.items()
        },
    )


def _stress_by_drug(data: ReportData) -> ReportData:
    """A 2 x 2: the two arms crossed with a stress factor (animals in pairs), run in two cohorts."""
    return replace(
        data,
        factor_name="stress",
        animals=tuple(
            replace(animal, factor_level=STRESS_LEVELS[i // 2 % 2], cohort=f"wave {i // 12 + 1}")
            for i, animal in enumerate(data.animals)
        ),
    )


def _immobility(data: ReportData) -> pd.DataFrame:
    rows = data.with_roster_columns(data.analysed_outcomes)
    return rows.loc[(rows["outcome"] == IMMOBILITY_OUTCOME) & (rows["method"] == "motion")]


def test_a_four_arm_figure_draws_every_animal_in_four_groups_reference_first() -> None:
    data = _with_arms(synthetic_report(), DOSE_ARMS)
    rows = _immobility(data)
    ax = Figure().subplots()
    groups = draw_strips(ax, rows, arms=data.arm_names)
    assert [group.arm for group in groups] == list(DOSE_ARMS)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == [group.label for group in groups]
    for group in groups:
        expected = rows.loc[rows["arm"] == group.arm].sort_values("code")
        assert sorted(group.codes) == expected["code"].tolist()
        assert group.label == f"{group.arm}\nn = {len(expected)}"
    drawn = np.concatenate([points.get_offsets() for points in ax.collections])
    assert len(drawn) == len(rows) == 23, "every analysed animal once (one was excluded)"
    assert sorted(drawn[:, 1]) == pytest.approx(sorted(rows["value"]))
    arm_at = {group.position: group.arm for group in groups}
    nearest = [min(arm_at, key=lambda position: abs(position - x)) for x in drawn[:, 0]]
    assert all(
        abs(x - position) <= JITTER_HALF_WIDTH for x, position in zip(drawn[:, 0], nearest, strict=True)
    )
    value_arm = {round(v, 9): a for v, a in zip(rows["value"], rows["arm"], strict=True)}
    assert [arm_at[p] for p in nearest] == [value_arm[round(y, 9)] for y in drawn[:, 1]]


def test_a_two_by_two_figure_has_arm_by_level_groups_and_cohort_markers(tmp_path: Path) -> None:
    data = _stress_by_drug(synthetic_report())
    assert factor_levels(data) == ("CUS", "control")
    rows = _immobility(data)
    ax = Figure().subplots()
    groups = draw_strips(ax, rows, arms=data.arm_names, levels=factor_levels(data))
    assert [(group.arm, group.level) for group in groups] == [
        ("vehicle", "CUS"),
        ("ketamine", "CUS"),
        ("vehicle", "control"),
        ("ketamine", "control"),
    ]
    for group in groups:
        chosen = rows.loc[(rows["arm"] == group.arm) & (rows["factor_level"] == group.level)]
        assert sorted(group.values) == pytest.approx(sorted(chosen["value"]))
        assert group.label == f"{group.arm}\n{group.level}\nn = {len(chosen)}"
    assert sum(len(group.values) for group in groups) == len(rows)
    assert groups[2].position - groups[1].position > groups[1].position - groups[0].position
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["wave 1", "wave 2"]
    figures = draw_figures(data, tmp_path)
    assert "by arm within each level of stress" in figures[0].caption
    assert (
        imread(figures[0].path).shape[1]
        > imread(draw_figures(synthetic_report(), tmp_path / "b")[0].path).shape[1]
    )


def test_a_blind_factor_study_draws_no_arm_grouping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _stress_by_drug(synthetic_report(blinded=True))
    assert factor_levels(data) == ()

    def grouped(*args: object, **kwargs: object) -> None:
        raise AssertionError("a blind report grouped its animals")

    monkeypatch.setattr(figures_module, "draw_strips", grouped)
    figures = draw_figures(data, tmp_path)
    assert all("by arm" not in figure.caption for figure in figures)
    assert "blind report" in figures[0].caption


def test_an_animal_without_a_level_or_cohort_has_them_missing_not_an_empty_level(tmp_path: Path) -> None:
    data = _stress_by_drug(synthetic_report())
    first = data.animals[0]
    data = replace(data, animals=(replace(first, factor_level=None, cohort=None), *data.animals[1:]))
    rows = _immobility(data)
    alone = rows["code"].astype(str) == first.code
    assert alone.any() and rows.loc[alone, ["factor_level", "cohort"]].isna().all().all()
    assert rows.loc[~alone, ["factor_level", "cohort"]].notna().all().all()
    assert factor_levels(data) == ("CUS", "control", NO_LEVEL)
    groups = strip_groups(rows.fillna({"factor_level": NO_LEVEL}), data.arm_names, factor_levels(data))
    (unlevelled,) = [group for group in groups if first.code in group.codes]
    assert unlevelled.level == NO_LEVEL and unlevelled.cohorts == (NO_COHORT,)
    assert draw_figures(data, tmp_path)
