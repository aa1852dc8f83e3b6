"""The declared k-arm contrasts on the cohort block model: refusals and what cannot be fitted."""

import pandas as pd
import pytest

from analysis.block_contrasts import block_contrasts
from analysis.errors import AnalysisError
from tests.analysis.test_blocks import TABLE, with_a_late_dose


def test_a_trend_primary_needs_every_arm_s_dose_and_two_different_doses() -> None:
    with pytest.raises(AnalysisError, match="a trend primary needs trend_scores"):
        block_contrasts(TABLE, "vehicle", primary="trend")
    with pytest.raises(AnalysisError, match="must name every arm"):
        block_contrasts(TABLE, "vehicle", primary="trend", trend_scores={"vehicle": 0, "3 mg/kg": 3})
    same = {"vehicle": 1, "3 mg/kg": 1, "10 mg/kg": 1}
    with pytest.raises(AnalysisError, match="all equal"):
        block_contrasts(TABLE, "vehicle", primary="trend", trend_scores=same)


def test_one_cohort_gives_a_note_and_no_contrast() -> None:
    one = TABLE.loc[TABLE["cohort"] == "week 1"]
    result = block_contrasts(one, "vehicle", primary="dunnett")
    assert result.note == "needs two arms and two cohorts" and not result.comparisons


def test_the_adjusted_p_is_never_below_the_raw_one_and_the_trend_is_reported() -> None:
    scores = {"vehicle": 0.0, "3 mg/kg": 3.0, "10 mg/kg": 10.0}
    result = block_contrasts(TABLE, "vehicle", primary="trend", trend_scores=scores)
    assert [c.name for c in result.comparisons] == ["3 mg/kg - vehicle", "10 mg/kg - vehicle"]
    assert all(c.p_adjusted >= c.p for c in result.comparisons)
    assert result.trend is not None and result.trend.estimate < 0 and result.primary == "trend"
    assert dict(result.trend_coefficients) == pytest.approx(
        {"vehicle": -13 / 3, "3 mg/kg": -4 / 3, "10 mg/kg": 17 / 3}
    )
    assert isinstance(result.method, str) and "Holm" in result.method
    assert pd.notna(result.residuals.p)


def test_an_arm_confounded_with_its_cohort_gives_a_note_and_no_contrast() -> None:
    scores = {"vehicle": 0.0, "3 mg/kg": 3.0, "10 mg/kg": 10.0, "30 mg/kg": 30.0}
    result = block_contrasts(with_a_late_dose(), "vehicle", primary="trend", trend_scores=scores)
    assert result.comparisons == () and result.trend is None
    assert result.note == "arm 30 mg/kg appears only in cohort week 11: not estimable within cohorts"
