"""Every result of the library gives itself as JSON data: nested results as dicts, NaN as null."""

import json
import math
from dataclasses import dataclass

from analysis.jsonready import JsonReady, json_ready
from analysis.outcomes import analyse_study
from tests.analysis.test_outcomes import study_table


@dataclass(frozen=True)
class Inner(JsonReady):
    value: float
    pair: tuple[float, float]


@dataclass(frozen=True)
class Outer(JsonReady):
    name: str
    inner: Inner
    items: tuple[Inner, ...]
    labels: dict[str, float]


def test_nested_results_become_dicts_lists_and_null() -> None:
    outer = Outer("x", Inner(math.nan, (1.0, math.inf)), (Inner(2.0, (3.0, 4.0)),), {"a": -math.inf})
    assert outer.to_dict() == {
        "name": "x",
        "inner": {"value": None, "pair": [1.0, None]},
        "items": [{"value": 2.0, "pair": [3.0, 4.0]}],
        "labels": {"a": None},
    }
    assert json_ready((1, "a", None, True)) == [1, "a", None, True]


def test_a_whole_study_analysis_is_strict_json() -> None:
    analysis = analyse_study(study_table(arms=("vehicle", "3", "10")), "vehicle")
    data = json.loads(json.dumps(analysis.to_dict(), allow_nan=False))
    assert len(data["outcomes"]) == len(analysis.outcomes)
    first = data["outcomes"][0]
    assert first["multi_arm"]["reference"] == "vehicle"
    assert first["summaries"][0] == analysis.outcomes[0].summaries[0].to_dict()
    assert data["repeated"][0]["model"]["converged"] is True
