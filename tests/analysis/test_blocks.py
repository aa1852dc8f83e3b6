"""Cohorts pooled as a fixed block or a random effect, against statsmodels OLS and MixedLM directly."""

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analysis.blocks import cohort_analysis
from analysis.errors import AnalysisError


def cohorts_table() -> pd.DataFrame:
    """Five cohorts weeks apart, each shifting every arm's values, three arms of three animals per cohort."""
    rng = np.random.default_rng(11)
    rows = [
        {"arm": arm, "cohort": cohort, "value": rng.normal(100 + shift - (arm == "10 mg/kg") * 12, 6)}
        for cohort, shift in (("week 1", 0), ("week 3", 8), ("week 5", -5), ("week 7", 3), ("week 9", 10))
        for arm in ("vehicle", "3 mg/kg", "10 mg/kg")
        for _ in range(3)
    ]
    return pd.DataFrame(rows)


TABLE = cohorts_table()
ARMS = ["vehicle", "3 mg/kg", "10 mg/kg"]


def coded() -> pd.DataFrame:
    return TABLE.assign(arm=pd.Categorical(TABLE["arm"], categories=ARMS))


def test_the_block_matches_an_ols_with_an_additive_cohort_term() -> None:
    result = cohort_analysis(TABLE, "vehicle", cohort_as="block")
    fit = smf.ols("value ~ C(arm) + C(cohort)", data=coded()).fit()
    intervals = fit.conf_int()
    for effect in result.arm_effects:
        name = f"C(arm)[T.{effect.arm}]"
        assert effect.estimate == pytest.approx(fit.params[name], rel=1e-10)
        assert effect.se == pytest.approx(fit.bse[name], rel=1e-10)
        assert effect.p == pytest.approx(fit.pvalues[name], rel=1e-9)
        assert effect.ci == pytest.approx((intervals.loc[name, 0], intervals.loc[name, 1]), rel=1e-10)
        assert effect.df == fit.df_resid
    anova = sm.stats.anova_lm(fit, typ=2)
    tests = {test.term: test for test in result.tests}
    assert tests["arm"].statistic == pytest.approx(anova.loc["C(arm)", "F"], rel=1e-10)
    assert tests["cohort"].p == pytest.approx(anova.loc["C(cohort)", "PR(>F)"], rel=1e-9)
    assert result.residual_variance == pytest.approx(fit.scale, rel=1e-10)
    assert (result.cohort_as, result.cohorts[0], len(result.cohorts)) == ("block", "week 1", 5)
    assert "fixed block" in result.method


def test_the_block_removes_cohort_differences_from_the_error() -> None:
    pooled = smf.ols("value ~ C(arm)", data=coded()).fit()
    blocked = cohort_analysis(TABLE, "vehicle", cohort_as="block")
    assert blocked.residual_variance < pooled.scale
    effect = next(e for e in blocked.arm_effects if e.arm == "10 mg/kg")
    assert effect.se < pooled.bse["C(arm)[T.10 mg/kg]"]


def test_the_random_effect_matches_mixedlm_with_cohort_groups() -> None:
    result = cohort_analysis(TABLE, "vehicle", cohort_as="random")
    fit = smf.mixedlm("value ~ C(arm)", data=coded(), groups=TABLE["cohort"]).fit(reml=True)
    for effect in result.arm_effects:
        name = f"C(arm)[T.{effect.arm}]"
        assert effect.estimate == pytest.approx(fit.fe_params[name], rel=1e-6)
        assert effect.se == pytest.approx(fit.bse_fe[name], rel=1e-5)
        assert effect.p == pytest.approx(
            2 * stats.norm.sf(abs(fit.fe_params[name] / fit.bse_fe[name])), rel=1e-4
        )
    assert result.cohort_variance == pytest.approx(float(fit.cov_re.iloc[0, 0]), rel=1e-4)
    wald = fit.wald_test("C(arm)[T.3 mg/kg] = 0, C(arm)[T.10 mg/kg] = 0", scalar=True, use_f=False)
    assert result.tests[0].statistic == pytest.approx(float(wald.statistic), rel=1e-5)
    assert result.cohort_as == "random" and "random intercept per cohort" in result.method
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["cohort_as"] == "random"


def test_one_cohort_gives_a_note_instead_of_effects() -> None:
    result = cohort_analysis(TABLE.loc[TABLE["cohort"] == "week 1"], "vehicle", cohort_as="block")
    assert (result.arm_effects, result.note) == ((), "needs two arms and two cohorts")


@pytest.mark.parametrize(
    ("table", "reference", "cohort_as", "message"),
    [
        (TABLE, "vehicle", "mixed", "cohort_as must be"),
        (TABLE.drop(columns="cohort"), "vehicle", "block", "lacks the columns"),
        (TABLE, "saline", "block", "reference arm 'saline'"),
    ],
)
def test_bad_input_is_refused(table: pd.DataFrame, reference: str, cohort_as: str, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        cohort_analysis(table, reference, cohort_as=cohort_as)  # type: ignore[arg-type]


@pytest.mark.parametrize("cohort_as", ["block", "random"])
def test_the_residuals_normality_is_reported(cohort_as: str) -> None:
    result = cohort_analysis(TABLE, "vehicle", cohort_as=cohort_as)  # type: ignore[arg-type]
    if cohort_as == "block":
        residuals = smf.ols("value ~ C(arm) + C(cohort)", data=coded()).fit().resid
        assert result.residuals.w == pytest.approx(stats.shapiro(residuals).statistic, rel=1e-10)
    assert (result.residuals.group, result.residuals.n) == ("residuals", len(TABLE))
    one_cohort = cohort_analysis(TABLE.loc[TABLE["cohort"] == "week 1"], "vehicle", cohort_as=cohort_as)  # type: ignore[arg-type]
    assert one_cohort.residuals.note == "no model fitted"


def with_a_late_dose(*arms: str) -> pd.DataFrame:
    """TABLE plus a later cohort "week 11" holding the new arm "30 mg/kg" and the given other arms."""
    rng = np.random.default_rng(4)
    rows = [
        {"arm": arm, "cohort": "week 11", "value": rng.normal(90, 6)}
        for arm in ("30 mg/kg", *arms)
        for _ in range(3)
    ]
    return pd.concat([TABLE, pd.DataFrame(rows)], ignore_index=True)


def test_an_arm_only_in_its_own_cohort_gives_a_note_naming_it_instead_of_an_effect() -> None:
    table = with_a_late_dose()
    design = smf.ols("value ~ C(arm) + C(cohort)", data=table).exog
    assert np.linalg.matrix_rank(design) < design.shape[1]
    result = cohort_analysis(table, "vehicle", cohort_as="block")
    assert result.arm_effects == () and result.tests == ()
    assert result.note == "arm 30 mg/kg appears only in cohort week 11: not estimable within cohorts"


def test_a_late_dose_beside_the_reference_is_estimated_within_its_cohort() -> None:
    table = with_a_late_dose("vehicle")
    result = cohort_analysis(table, "vehicle", cohort_as="block")
    coded_table = table.assign(arm=pd.Categorical(table["arm"], categories=[*ARMS, "30 mg/kg"]))
    fit = smf.ols("value ~ C(arm) + C(cohort)", data=coded_table).fit()
    late = next(effect for effect in result.arm_effects if effect.arm == "30 mg/kg")
    assert result.note == "" and late.estimate == pytest.approx(fit.params["C(arm)[T.30 mg/kg]"])
