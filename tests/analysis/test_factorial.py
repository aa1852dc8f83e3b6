"""Arm x factor ANOVA and simple effects, against statsmodels OLS and anova_lm on the same data."""

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analysis.errors import AnalysisError
from analysis.factorial import factorial_anova


def stress_by_drug(seed: int = 5, unbalanced: bool = True) -> pd.DataFrame:
    """A 2 x 2 stress x drug study whose drug works only under stress, cells of unequal size, two cohorts."""
    rng = np.random.default_rng(seed)
    rows = []
    for arm in ("vehicle", "ketamine"):
        for level in ("control", "stress"):
            n = 5 + (unbalanced and arm == "ketamine" and level == "stress") * 3
            effect = -25.0 if (arm, level) == ("ketamine", "stress") else 0.0
            base = 150.0 + (level == "stress") * 30.0
            for i in range(n):
                value = rng.normal(base + effect, 12.0) + (i % 2) * 9.0
                rows.append({"arm": arm, "factor_level": level, "cohort": f"c{i % 2}", "value": value})
    return pd.DataFrame(rows)


TABLE = stress_by_drug()


@pytest.mark.parametrize("typ", [2, 3])
@pytest.mark.parametrize("cohort_block", [False, True])
def test_anova_rows_match_anova_lm_with_partial_eta_squared(typ: int, cohort_block: bool) -> None:
    result = factorial_anova(
        TABLE,
        "vehicle",
        factor="stress",
        factor_reference="control",
        sums_of_squares=typ,
        cohort_block=cohort_block,
    )
    coding = ", Sum" if typ == 3 else ""
    formula = f"value ~ C(arm{coding}) * C(factor_level{coding})" + (
        f" + C(cohort{coding})" if cohort_block else ""
    )
    direct = sm.stats.anova_lm(smf.ols(formula, data=TABLE).fit(), typ=typ)
    residual = direct.loc["Residual", "sum_sq"]
    rows = {row.term: row for row in result.rows}
    names = {"arm": f"C(arm{coding})", "factor": f"C(factor_level{coding})"}
    names["arm x factor"] = f"{names['arm']}:{names['factor']}"
    if cohort_block:
        names["cohort"] = f"C(cohort{coding})"
    assert set(rows) == {*names, "residual"}
    for term, label in names.items():
        assert rows[term].sum_sq == pytest.approx(direct.loc[label, "sum_sq"], rel=1e-10)
        assert rows[term].f == pytest.approx(direct.loc[label, "F"], rel=1e-10)
        assert rows[term].p == pytest.approx(direct.loc[label, "PR(>F)"], rel=1e-9)
        eta = direct.loc[label, "sum_sq"] / (direct.loc[label, "sum_sq"] + residual)
        assert rows[term].partial_eta_squared == pytest.approx(eta, rel=1e-10)
    assert rows["residual"].df == direct.loc["Residual", "df"]
    assert result.cohort == ("block" if cohort_block else "none")
    assert f"Type {'II' if typ == 2 else 'III'}" in result.method


def test_the_interaction_is_the_same_under_type_ii_and_iii() -> None:
    two, three = (factorial_anova(TABLE, "vehicle", sums_of_squares=typ) for typ in (2, 3))
    interaction = [next(row for row in r.rows if row.term == "arm x factor") for r in (two, three)]
    assert interaction[0].f == pytest.approx(interaction[1].f, rel=1e-10)


@pytest.mark.parametrize("cohort_block", [False, True])
def test_simple_effects_match_ols_contrasts_of_the_interaction_model(cohort_block: bool) -> None:
    result = factorial_anova(TABLE, "vehicle", factor_reference="control", cohort_block=cohort_block)
    fit = smf.ols(
        "value ~ C(arm) * C(factor_level)" + (" + C(cohort)" if cohort_block else ""), data=TABLE
    ).fit()
    names = list(fit.params.index)
    drug, interaction = "C(arm)[T.vehicle]", "C(arm)[T.vehicle]:C(factor_level)[T.stress]"
    # patsy sorts the levels, so ketamine is the baseline: negate vehicle's terms to get ketamine - vehicle
    for effect, with_interaction in zip(result.simple_effects, (False, True), strict=True):
        contrast = np.zeros(len(names))
        contrast[names.index(drug)] = -1.0
        if with_interaction:
            contrast[names.index(interaction)] = -1.0
        direct = fit.t_test(contrast)
        assert (effect.arm, effect.factor_level) == ("ketamine", "stress" if with_interaction else "control")
        assert effect.estimate == pytest.approx(float(np.asarray(direct.effect)[0]), rel=1e-10)
        assert effect.se == pytest.approx(float(np.asarray(direct.sd).ravel()[0]), rel=1e-10)
        assert effect.p == pytest.approx(float(np.asarray(direct.pvalue).ravel()[0]), rel=1e-9)
        assert effect.ci == pytest.approx(tuple(np.asarray(direct.conf_int())[0]), rel=1e-10)
        assert effect.df == fit.df_resid


def test_simple_effects_without_a_block_are_differences_of_cell_means() -> None:
    result = factorial_anova(TABLE, "vehicle", factor_reference="control")
    means = TABLE.groupby(["arm", "factor_level"])["value"].mean()
    for effect in result.simple_effects:
        expected = means[(effect.arm, effect.factor_level)] - means[("vehicle", effect.factor_level)]
        assert effect.estimate == pytest.approx(expected, rel=1e-10)
    assert result.cells == (
        ("vehicle", "control", 5),
        ("vehicle", "stress", 5),
        ("ketamine", "control", 5),
        ("ketamine", "stress", 8),
    )


def test_an_empty_cell_gives_a_note_and_no_rows_and_the_result_is_json_ready() -> None:
    table = TABLE.loc[~((TABLE["arm"] == "ketamine") & (TABLE["factor_level"] == "stress"))]
    result = factorial_anova(table, "vehicle")
    assert (result.rows, result.simple_effects) == ((), ())
    assert "cell is empty" in result.note
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["note"] == result.note


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (TABLE.drop(columns="factor_level"), {}, "lacks the columns"),
        (TABLE.drop(columns="cohort"), {"cohort_block": True}, "lacks the columns"),
        (TABLE, {"sums_of_squares": 1}, "sums_of_squares must be 2 or 3"),
        (TABLE.assign(factor_level=None), {}, "no \\['factor_level'\\]"),
    ],
)
def test_bad_input_is_refused(table: pd.DataFrame, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        factorial_anova(table, "vehicle", **kwargs)  # type: ignore[arg-type]


def test_an_unknown_reference_arm_is_refused() -> None:
    with pytest.raises(AnalysisError, match="reference arm 'saline'"):
        factorial_anova(TABLE, "saline")


def test_the_assumption_checks_are_reported_per_cell_and_on_the_residuals() -> None:
    result = factorial_anova(TABLE, "vehicle", factor_reference="control")
    fit = smf.ols("value ~ C(arm) * C(factor_level)", data=TABLE).fit()
    assert result.residuals.w == pytest.approx(stats.shapiro(fit.resid).statistic, rel=1e-10)
    cells = [group["value"].to_numpy() for _, group in TABLE.groupby(["arm", "factor_level"])]
    levene = stats.levene(*cells, center="median")
    assert result.assumptions.levene_p == pytest.approx(levene.pvalue, rel=1e-10)
    assert [check.group for check in result.assumptions.normality] == [
        "vehicle / control",
        "vehicle / stress",
        "ketamine / control",
        "ketamine / stress",
    ]
