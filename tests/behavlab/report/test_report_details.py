"""What the report says beyond the statistics: every exclusion on the roster, settings as tables, which
outcome each method line is for, the declared primary outcome only, plots as long as the test, data.csv."""

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from behavlab.report import AnimalInfo, ExclusionInfo, ReportData, ScoringInfo
from behavlab.report import figures as figures_module
from behavlab.report.blind import BlindSections
from behavlab.report.common import NO_PRIMARY
from behavlab.report.exports import exclusions_table, tidy_table
from behavlab.report.group_results import analyse
from behavlab.report.markup import to_markdown
from behavlab.report.measures import IMMOBILITY_OUTCOME, SPT_OUTCOME
from behavlab.report.render import report_blocks
from tests.behavlab.report import blind, synthetic_report
from tests.behavlab.report.test_report import table_row

EARLY = "M025"


def _markdown(data: ReportData) -> str:
    return to_markdown(report_blocks(data, analyse(data), ()))


def _level_2(markdown: str, heading: str) -> str:
    """The Markdown of one numbered ARRIVE section, up to the next level-2 heading."""
    start = markdown.index(f"## {heading}")
    following = re.search(r"\n## ", markdown[start + 3 :])
    return markdown[start : start + 3 + following.start()] if following else markdown[start:]


def _with_an_early_exclusion(data: ReportData) -> ReportData:
    """The study with a 25th animal excluded a priori two hours before randomization, so never coded."""
    assert data.randomization is not None
    early = AnimalInfo(None, EARLY, "F", "C57BL/6J", "C7", date(2026, 1, 1), 8.0, 19.5, "Jackson Laboratory")
    exclusion = ExclusionInfo(
        None,
        "malocclusion at arrival",
        True,
        True,
        "bob",
        data.randomization.created_at - timedelta(hours=2),
        label=EARLY,
    )
    return replace(data, animals=(*data.animals, early), exclusions=(exclusion, *data.exclusions))


@pytest.mark.parametrize("blinded", [True, False])
def test_an_animal_excluded_before_randomization_is_counted_and_listed(blinded: bool) -> None:
    data = _with_an_early_exclusion(synthetic_report())
    data = blind(data) if blinded else data
    markdown = _markdown(data)
    assert "25 animals on the roster, 24 of them randomized" in markdown
    criteria = _level_2(markdown, "3. Inclusion and exclusion criteria")
    assert "No animal was excluded" not in criteria and "Exclusions (2)" in criteria
    assert "2 of the 25 animals on the roster were excluded: 1 before randomization, 1 after" in criteria
    if blinded:
        early = table_row(criteria, f"{EARLY} (not randomized)")
        assert early[1:3] == ["malocclusion at arrival", "yes"]
        coded = table_row(criteria, "QX23R")
        assert EARLY not in exclusions_table(data)["code"].tolist()[1:]
        assert exclusions_table(data)["code"].tolist()[0] == f"{EARLY} (not randomized)"
        assert "label" not in exclusions_table(data).columns
    else:
        early = table_row(criteria, "not randomized")
        assert early[1:5] == [EARLY, "not allocated", "malocclusion at arrival", "yes"]
        coded = table_row(criteria, "QX23R")
        assert exclusions_table(data)["label"].tolist() == [EARLY, "M024"]
    assert early[-1] == "2.0 h before randomization"
    assert coded[-1] == "120.0 h after randomization"
    assert exclusions_table(data)["hours_after_randomization"].tolist() == [-2.0, 120.0]
    animals = _level_2(markdown, "8. Experimental animals")
    assert "n = 25" in animals
    if blinded:
        assert table_row(animals, f"{EARLY} (not randomized)")[-1] == "yes"
    else:
        assert table_row(animals, "not randomized")[1:3] == [EARLY, "not allocated"]


def test_scoring_settings_are_a_table_of_parameters_not_a_dict() -> None:
    motion = ScoringInfo(
        "motion",
        {"method": "motion", "scoring": {"threshold": 0.012, "min_bout_s": 1.0}, "signal_options": {}},
        "behavlab 0.3.0",
    )
    data = replace(synthetic_report(periods=1), scoring=(motion,))
    measures = _level_2(_markdown(data), "6. Outcome measures")
    assert "{" not in measures and "}" not in measures
    assert table_row(measures, "scoring.threshold")[1] == "0.012"
    assert table_row(measures, r"scoring.min\_bout\_s")[1] == "1"
    assert table_row(measures, "method")[1] == "motion"


def test_every_statistical_method_line_says_which_outcome_it_belongs_to() -> None:
    data = synthetic_report(periods=1)
    methods = _level_2(_markdown(data), "7. Statistical methods")
    bullets = [line.removeprefix("- ") for line in methods.splitlines() if line.startswith("- ")]
    mann_whitney = [line for line in bullets if "Mann-Whitney" in line]
    assert mann_whitney, methods
    titles = ("Every outcome", "FST immobility (motion)", "FST immobility (manual)", "FST latency")
    assert all(line.startswith(titles) for line in bullets), bullets


def test_only_the_declared_primary_outcome_and_method_is_called_primary() -> None:
    declared = synthetic_report(periods=1)
    markdown = _markdown(declared)
    results = _level_2(markdown, "10. Results")
    primary = results.split("Primary outcome, as declared.")[1].split("###")[0]
    assert "FST immobility (motion)" in primary and "(manual)" not in primary
    assert "Primary outcome, declared by the study: FST immobility (motion)" in markdown
    undeclared = _markdown(replace(declared, primary=None))
    assert undeclared.count(NO_PRIMARY) == 2 and "Primary outcome" not in undeclared
    outcomes = _level_2(undeclared, "6. Outcome measures")
    assert table_row(outcomes, "FST immobility")[2] == "no"
    blind_text = to_markdown(BlindSections(blind(replace(declared, primary=None)), ()).blocks())
    assert NO_PRIMARY in blind_text


def test_the_per_minute_plot_spans_the_minutes_the_test_lasted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = synthetic_report(periods=1)
    two_minutes = data.immobility_per_minute.loc[data.immobility_per_minute["minute"] <= 2]
    drawn: list[Figure] = []
    monkeypatch.setattr(figures_module, "_save", lambda figure, path: drawn.append(figure) or path)
    figures_module.per_minute_figure(
        two_minutes, tmp_path / "m.png", arms=data.arm_names, window_s=(0.0, 120.0), title="t"
    )
    (figure,) = drawn
    assert figure.axes[0].get_xlim() == (0.0, 2.0)


def test_data_csv_carries_lab_id_once_unmasked_weights_and_intakes() -> None:
    data = synthetic_report(periods=2)
    animals = tuple(replace(a, dosing_weight_g=(a.baseline_weight_g or 0) + 0.5) for a in data.animals)
    intakes = pd.DataFrame(
        [(a.code, f"day {p}", 4.0 + p, 1.0) for a in data.animals for p in range(2)],
        columns=["code", "period", "sucrose_ml", "water_ml"],
    )
    data = replace(data, animals=animals, spt_intakes=intakes)
    table = tidy_table(data)
    first = table.loc[table["code"] == "QX00R"]
    assert set(first["label"]) == {"M001"}
    assert set(first["baseline_weight_g"]) == {animals[0].baseline_weight_g}
    assert set(first["dosing_weight_g"]) == {animals[0].dosing_weight_g}
    spt = first.loc[first["outcome"] == SPT_OUTCOME].set_index("period")
    assert spt.loc["day 1", "sucrose_ml"] == 5.0 and spt.loc["day 1", "water_ml"] == 1.0
    assert first.loc[first["outcome"] == IMMOBILITY_OUTCOME, "sucrose_ml"].isna().all()
    assert len(table) == len(data.outcomes)
    blind_table = tidy_table(blind(data))
    assert {"label", "arm"}.isdisjoint(blind_table.columns)
    assert {"baseline_weight_g", "dosing_weight_g", "sucrose_ml", "water_ml"} <= set(blind_table.columns)
