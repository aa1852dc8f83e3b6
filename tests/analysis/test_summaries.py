"""Descriptives and assumption checks, against NumPy, SciPy and hand computation."""

import math

import numpy as np
import pytest
import scipy
import statsmodels
from scipy import stats

from analysis.summaries import check_assumptions, shapiro_wilk, software_versions, summarize

VALUES = [12.0, 15.5, 9.0, 21.0, 14.0, 18.5, 11.0]


def test_summary_matches_hand_computation() -> None:
    summary = summarize("vehicle", VALUES)
    x = np.array(VALUES)
    mean = sum(VALUES) / 7
    sd = math.sqrt(sum((v - mean) ** 2 for v in VALUES) / 6)
    assert (summary.n, summary.group) == (7, "vehicle")
    assert summary.mean == pytest.approx(mean, rel=1e-12)
    assert summary.sd == pytest.approx(sd, rel=1e-12)
    assert summary.sem == pytest.approx(sd / math.sqrt(7), rel=1e-12)
    # sorted: 9, 11, 12, 14, 15.5, 18.5, 21; type-7 quartiles at positions 1.5 and 4.5
    assert (summary.q1, summary.median, summary.q3) == pytest.approx((11.5, 14.0, 17.0))
    assert (summary.minimum, summary.maximum) == (x.min(), x.max())
    assert summary.note == ""


def test_summary_of_tiny_groups_is_nan_with_a_reason() -> None:
    one = summarize("a", [3.0])
    assert one.n == 1 and one.mean == 3.0 and math.isnan(one.sd) and math.isnan(one.sem)
    assert "n = 1" in one.note
    empty = summarize("a", [float("nan")])
    assert empty.n == 0 and math.isnan(empty.mean) and empty.note == "no values"
    with pytest.raises(ValueError, match="finite"):
        summarize("a", [1.0, float("inf")])


def test_shapiro_wilk_matches_scipy_and_refuses_what_it_cannot_test() -> None:
    check = shapiro_wilk("a", VALUES)
    expected = stats.shapiro(VALUES)
    assert (check.w, check.p) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-10)
    assert math.isnan(shapiro_wilk("a", [1.0, 2.0]).p)
    assert "n >= 3" in shapiro_wilk("a", [1.0, 2.0]).note
    assert "all values equal" in shapiro_wilk("a", [4.0, 4.0, 4.0]).note


def test_brown_forsythe_is_anova_on_absolute_deviations_from_the_median() -> None:
    groups = {"a": [1.0, 4.0, 6.0, 9.0, 20.0], "b": [3.0, 3.5, 4.0, 5.0], "c": [2.0, 8.0, 8.5, 15.0, 1.0]}
    deviations = [np.abs(np.array(v) - np.median(v)) for v in groups.values()]
    expected = stats.f_oneway(*deviations)
    checks = check_assumptions(groups)
    assert checks.levene_statistic == pytest.approx(expected.statistic, rel=1e-10)
    assert checks.levene_p == pytest.approx(expected.pvalue, rel=1e-10)
    assert [check.group for check in checks.normality] == ["a", "b", "c"]
    assert "Brown-Forsythe" in checks.method and "neither chooses the test" in checks.method
    assert set(checks.software) >= {"scipy", "statsmodels"}


def test_variance_check_needs_two_varying_groups_of_two() -> None:
    assert "one group" in check_assumptions({"a": [1.0, 2.0]}).levene_note
    assert "n < 2" in check_assumptions({"a": [1.0, 2.0], "b": [1.0]}).levene_note
    flat = check_assumptions({"a": [1.0, 1.0], "b": [2.0, 2.0]})
    assert math.isnan(flat.levene_p) and "no group varies" in flat.levene_note


def test_software_versions_name_the_statistics_packages() -> None:
    versions = software_versions()
    assert versions["scipy"] == scipy.__version__
    assert versions["statsmodels"] == statsmodels.__version__
