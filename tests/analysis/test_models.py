"""Two-way ANOVA arm x sex and the mixed model of repeated periods, against hand computation and MixedLM."""

import math
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analysis.errors import AnalysisError
from analysis.factorial import ordered_levels
from analysis.mixed import mixed_model
from analysis.models import two_way_anova

# A balanced 2 x 2 design, 3 animals per cell: the sums of squares have closed forms.
CELLS = {
    ("vehicle", "F"): [150.0, 160.0, 155.0],
    ("vehicle", "M"): [170.0, 165.0, 175.0],
    ("ketamine", "F"): [100.0, 110.0, 105.0],
    ("ketamine", "M"): [150.0, 140.0, 145.0],
}


def balanced_table() -> pd.DataFrame:
    rows = [
        {"code": f"{arm[0]}{sex}{i}", "arm": arm, "sex": sex, "value": value}
        for (arm, sex), values in CELLS.items()
        for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_two_way_anova_matches_the_balanced_design_formulas() -> None:
    table = balanced_table()
    result = two_way_anova(table, "vehicle")
    grand = table["value"].mean()
    arm_means = table.groupby("arm")["value"].mean()
    sex_means = table.groupby("sex")["value"].mean()
    cell_means = table.groupby(["arm", "sex"])["value"].mean()
    ss_arm = 6 * ((arm_means - grand) ** 2).sum()
    ss_sex = 6 * ((sex_means - grand) ** 2).sum()
    ss_cells = 3 * ((cell_means - grand) ** 2).sum()
    ss_interaction = ss_cells - ss_arm - ss_sex
    ss_residual = ((table["value"] - table.groupby(["arm", "sex"])["value"].transform("mean")) ** 2).sum()
    rows = {row.term: row for row in result.rows}
    assert list(rows) == ["arm", "sex", "arm x sex", "residual"]
    assert rows["arm"].sum_sq == pytest.approx(ss_arm)
    assert rows["sex"].sum_sq == pytest.approx(ss_sex)
    assert rows["arm x sex"].sum_sq == pytest.approx(ss_interaction)
    assert rows["residual"].sum_sq == pytest.approx(ss_residual)
    assert rows["residual"].df == 8
    f_interaction = ss_interaction / (ss_residual / 8)
    assert rows["arm x sex"].f == pytest.approx(f_interaction)
    assert rows["arm x sex"].p == pytest.approx(stats.f.sf(f_interaction, 1, 8))
    assert math.isnan(rows["residual"].f)
    assert result.cells == (
        ("vehicle", "F", 3),
        ("vehicle", "M", 3),
        ("ketamine", "F", 3),
        ("ketamine", "M", 3),
    )
    assert result.n == 12 and result.note == ""
    assert "Type II" in result.method


def test_two_way_anova_says_why_it_cannot_be_fitted() -> None:
    table = balanced_table()
    no_cell = table.loc[~((table["arm"] == "ketamine") & (table["sex"] == "M"))]
    result = two_way_anova(no_cell, "vehicle")
    assert result.rows == () and "cell is empty" in result.note
    assert ("ketamine", "M", 0) in result.cells
    assert "two levels of sex" in two_way_anova(table.loc[table["sex"] == "F"], "vehicle").note
    one_each = table.groupby(["arm", "sex"]).head(1)
    assert "residual" in two_way_anova(one_each, "vehicle").note


def test_a_value_without_a_sex_is_refused_naming_the_sex_column() -> None:
    table = balanced_table()
    table.loc[0, "sex"] = None
    with pytest.raises(AnalysisError, match=r"rows with a value but no \['sex'\]"):
        two_way_anova(table, "vehicle")


def repeated_table(seed: int, *, n: int = 12, effect: float = 10.0, periods: int = 3) -> pd.DataFrame:
    """Preference % over periods; the vehicle arm drops after the first period, ketamine does not."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        arm = "vehicle" if i % 2 == 0 else "ketamine"
        animal = rng.normal(0, 3)
        for p in range(periods):
            drop = effect if arm == "vehicle" and p > 0 else 0.0
            value = 85 + animal - drop + rng.normal(0, 2)
            rows.append({"code": f"A{i:02d}", "arm": arm, "period": f"day {p}", "value": value})
    return pd.DataFrame(rows)


def test_mixed_model_fixed_effects_equal_cell_mean_contrasts_on_balanced_data() -> None:
    table = repeated_table(0)
    result = mixed_model(table, "vehicle")
    assert result.converged and result.note == ""
    assert (result.n_units, result.n_observations, result.periods) == (12, 36, ("day 0", "day 1", "day 2"))
    means = table.groupby(["arm", "period"])["value"].mean()
    effects = {effect.term: effect for effect in result.fixed_effects}
    assert effects["intercept"].estimate == pytest.approx(means["vehicle", "day 0"], rel=1e-6)
    arm_0 = means["ketamine", "day 0"] - means["vehicle", "day 0"]
    assert effects["arm[ketamine]"].estimate == pytest.approx(arm_0, rel=1e-5)
    interaction = means["ketamine", "day 2"] - means["vehicle", "day 2"] - arm_0
    assert effects["arm[ketamine]:period[day 2]"].estimate == pytest.approx(interaction, rel=1e-5)
    assert effects["arm[ketamine]:period[day 2]"].estimate > 5
    assert result.interaction_df == 2 and result.interaction_p < 1e-4
    low, high = effects["arm[ketamine]:period[day 2]"].ci
    assert low < interaction < high
    assert result.random_intercept_variance > 0 and result.residual_variance > 0
    assert "random intercept per animal" in result.method


def test_mixed_model_reports_non_convergence_instead_of_estimates(monkeypatch: pytest.MonkeyPatch) -> None:
    fit = sm.MixedLM.fit

    def not_converged(self: sm.MixedLM, *args: object, **kwargs: object) -> object:
        result = fit(self, *args, **kwargs)
        result.converged = False
        return result

    monkeypatch.setattr(sm.MixedLM, "fit", not_converged)
    result = mixed_model(repeated_table(1), "vehicle")
    assert not result.converged and result.fixed_effects == ()
    assert math.isnan(result.interaction_p)
    assert "did not converge" in result.note and "per-period comparisons" in result.note


def test_mixed_model_needs_enough_units_arms_and_periods() -> None:
    assert "two periods" in mixed_model(repeated_table(2, periods=1), "vehicle").note
    assert "too few" in mixed_model(repeated_table(2, n=2), "vehicle").note
    assert "no values" in mixed_model(repeated_table(2), "saline").note


def factorial_table(seed: int = 3) -> pd.DataFrame:
    """Three arms x stress/control x three periods, two cohorts shifting every value; 8 animals per cell."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(48):
        arm = ("vehicle", "1 mg/kg", "10 mg/kg")[i % 3]
        level = ("control", "stress")[(i // 3) % 2]
        cohort = ("week 1", "week 3")[(i // 6) % 2]
        animal = rng.normal(0, 3)
        for p in range(3):
            drop = 12.0 if level == "stress" and p > 0 and arm != "10 mg/kg" else 0.0
            shift = 4.0 if cohort == "week 3" else 0.0
            value = 85 + animal + shift - drop + rng.normal(0, 2)
            unit = {"code": f"A{i:02d}", "arm": arm, "factor_level": level, "cohort": cohort}
            rows.append(unit | {"period": f"day {p}", "value": value})
    return pd.DataFrame(rows)


FORMULA = (
    "value ~ C(arm, Treatment('vehicle')) * C(period) * C(factor_level, Treatment('control')) + C(cohort)"
)


def our_name(patsy_name: str) -> str:
    """A patsy column name as the mixed model names it: ``C(arm, ...)[T.x]`` -> ``arm[x]``, etc."""
    renamed = {"arm": "arm", "period": "period", "factor_level": "stress", "cohort": "cohort"}
    if patsy_name == "Intercept":
        return "intercept"
    return ":".join(
        re.sub(r"C\((\w+).*?\)\[T\.(.*)\]", lambda m: f"{renamed[m[1]]}[{m[2]}]", part)
        for part in patsy_name.split(":")
    )


def test_mixed_model_with_factor_and_cohort_matches_mixedlm_with_the_same_formula() -> None:
    table = factorial_table()
    result = mixed_model(table, "vehicle", factor_name="stress", factor_reference="control")
    fit = smf.mixedlm(FORMULA, data=table, groups=table["code"]).fit(reml=True)
    expected = {our_name(name): value for name, value in fit.fe_params.items()}
    expected_se = {our_name(name): value for name, value in fit.bse_fe.items()}
    effects = {effect.term: effect for effect in result.fixed_effects}
    assert result.converged and set(effects) == set(expected) and len(effects) == 19
    for term, value in expected.items():
        assert effects[term].estimate == pytest.approx(value, rel=1e-4, abs=1e-4), term
        assert effects[term].se == pytest.approx(expected_se[term], rel=1e-3)
    names = [our_name(name) for name in fit.params.index]
    tests = {test.term: test for test in result.design_tests}
    assert list(tests) == ["arm x stress", "arm x period x stress", "cohort"]
    for term, prefix_count in (("arm x stress", 2), ("arm x period x stress", 3), ("cohort", 1)):
        tested = [i for i, name in enumerate(names) if _is_term(name, prefix_count, term)]
        wald = fit.wald_test(np.eye(len(names))[tested], scalar=True, use_f=False)
        assert tests[term].df[0] == len(tested) and tests[term].test == "Wald chi-square"
        assert tests[term].statistic == pytest.approx(float(wald.statistic), rel=1e-3), term
        assert tests[term].p == pytest.approx(float(wald.pvalue), rel=1e-2, abs=1e-12), term
    assert tests["arm x period x stress"].p < 1e-6 and result.interaction_df == 4
    assert (result.factor_levels, result.cohorts) == (("control", "stress"), ("week 1", "week 3"))
    assert "arm x period x stress" in result.method and "cohort as an additive fixed block" in result.method


def _is_term(name: str, parts: int, term: str) -> bool:
    """Whether a column named like ``arm[x]:stress[y]`` belongs to `term` (``arm x stress``, ``cohort``)."""
    prefixes = [part.split("[")[0] for part in name.split(":")]
    return len(prefixes) == parts and " x ".join(prefixes) == term


def test_mixed_model_with_k_arms_and_no_factor_has_one_indicator_per_arm() -> None:
    table = factorial_table().drop(columns=["factor_level", "cohort"])
    result = mixed_model(table, "vehicle")
    terms = [effect.term for effect in result.fixed_effects]
    assert terms[:3] == ["intercept", "arm[1 mg/kg]", "arm[10 mg/kg]"]
    assert result.interaction_df == 4 and result.design_tests == ()
    assert (result.factor_levels, result.cohorts) == ((), ())


def test_a_factor_or_cohort_with_one_level_is_left_out() -> None:
    table = factorial_table().assign(cohort="week 1")
    table = table.loc[table["factor_level"] == "stress"]
    result = mixed_model(table, "vehicle")
    assert result.converged and result.design_tests == () and "cohort" not in result.method


def test_mixed_model_refuses_a_missing_level_or_a_confounded_cohort() -> None:
    table = factorial_table()
    missing = table.assign(factor_level=table["factor_level"].where(table["code"] != "A00", None))
    assert "no factor_level" in mixed_model(missing, "vehicle").note
    confounded = table.assign(cohort=table["factor_level"])
    result = mixed_model(confounded, "vehicle")
    assert not result.converged and "not estimable" in result.note and result.cohorts == ("control", "stress")


def test_ordered_levels_keep_appearance_order_with_the_reference_first() -> None:
    assert ordered_levels(pd.Series(["b", "a", "b", "c"]), "c") == ["c", "b", "a"]
    assert ordered_levels(pd.Series(["b", "a"]), "z") == ["b", "a"]
