"""Every refusal of the data by `analysis` is an `AnalysisError`: a caller translates them in one place."""

from collections.abc import Callable

import pandas as pd
import pytest

from analysis.comparisons import compare_arms, compare_two_arms
from analysis.errors import AnalysisError
from analysis.outcomes import analyse_outcome, analyse_study, cage_means
from analysis.summaries import check_assumptions, summarize


def unit_table() -> pd.DataFrame:
    """Four animals in two arms, one cage each, one FST value each."""
    return pd.DataFrame(
        {
            "code": ["A1", "A2", "A3", "A4"],
            "arm": ["vehicle", "vehicle", "drug", "drug"],
            "sex": ["F", "M", "F", "M"],
            "cage": ["K1", "K2", "K3", "K4"],
            "value": [150.0, 160.0, 110.0, 120.0],
            "outcome": "fst_immobility_s",
            "method": "motion",
            "period": None,
            "unit": "s",
        }
    )


REFUSALS: dict[str, tuple[Callable[[], object], str]] = {
    "an infinite value": (lambda: summarize("a", [1.0, float("inf")]), "finite"),
    "an infinite value among the groups": (lambda: check_assumptions({"a": [1.0, float("inf")]}), "finite"),
    "an infinite value of two arms": (lambda: compare_two_arms("a", [float("inf")], "v", [1.0]), "finite"),
    "a reference that is not an arm": (
        lambda: compare_arms({"a": [1.0], "b": [2.0], "c": [3.0]}, "v"),
        "reference arm",
    ),
    "a missing column": (
        lambda: analyse_study(unit_table().drop(columns="unit"), "vehicle"),
        "lacks the columns",
    ),
    "rows without an arm": (
        lambda: analyse_outcome(unit_table().assign(arm=None), "vehicle"),
        "without an arm",
    ),
    "two values of one unit": (
        lambda: analyse_outcome(unit_table().assign(code="A1"), "vehicle"),
        "more than one value",
    ),
    "a cage holding two arms": (lambda: cage_means(unit_table().assign(cage="K1")), "more than one arm"),
}


@pytest.mark.parametrize(("refusal", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_every_refusal_of_the_data_is_an_analysis_error(refusal: Callable[[], object], message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        refusal()


def test_an_analysis_error_is_still_a_value_error() -> None:
    assert issubclass(AnalysisError, ValueError)


def test_a_call_the_library_never_makes_is_a_plain_value_error() -> None:
    with pytest.raises(ValueError, match="three or more") as raised:
        compare_arms({"v": [1.0, 2.0], "a": [3.0, 4.0]}, "v")
    assert not isinstance(raised.value, AnalysisError)
