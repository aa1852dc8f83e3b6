"""k arms against a reference, against SciPy and statsmodels called directly on the same data."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import special, stats
from statsmodels.stats.oneway import anova_oneway

from analysis.errors import AnalysisError
from analysis.multiarm import DUNNETT_SEED, analyse_arms, trend_test

RNG = np.random.default_rng(17)
GROUPS = {
    "vehicle": RNG.normal(100, 10, 8),
    "3 mg/kg": RNG.normal(95, 12, 7),
    "10 mg/kg": RNG.normal(80, 15, 8),
    "30 mg/kg": RNG.normal(88, 20, 9),
}
DOSES = {"vehicle": 0.0, "3 mg/kg": 3.0, "10 mg/kg": 10.0, "30 mg/kg": 30.0}
OTHERS = ["3 mg/kg", "10 mg/kg", "30 mg/kg"]


def long_table(groups: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame([{"arm": arm, "value": v} for arm, values in groups.items() for v in values])


def test_welch_anova_matches_statsmodels_anova_oneway() -> None:
    result = analyse_arms(GROUPS, "vehicle", primary="welch_anova")
    direct = anova_oneway(list(GROUPS.values()), use_var="unequal", welch_correction=True)
    assert result.welch_anova.statistic == pytest.approx(direct.statistic, rel=1e-10)
    assert result.welch_anova.df == pytest.approx((direct.df_num, direct.df_denom), rel=1e-10)
    assert result.welch_anova.p == pytest.approx(direct.pvalue, rel=1e-10)
    assert result.primary == "welch_anova"


def test_dunnett_matches_scipy_with_its_simultaneous_intervals() -> None:
    result = analyse_arms(GROUPS, "vehicle", primary="dunnett")
    direct = stats.dunnett(
        *(GROUPS[arm] for arm in OTHERS),
        control=GROUPS["vehicle"],
        random_state=np.random.default_rng(DUNNETT_SEED),
    )
    interval = direct.confidence_interval(0.95)
    assert [c.arm for c in result.dunnett] == OTHERS
    for index, comparison in enumerate(result.dunnett):
        assert comparison.statistic == pytest.approx(direct.statistic[index], rel=1e-10)
        assert comparison.p == pytest.approx(direct.pvalue[index], rel=1e-10)
        assert comparison.mean_difference_ci == pytest.approx(
            (interval.low[index], interval.high[index]), rel=1e-10
        )
        diff = GROUPS[comparison.arm].mean() - GROUPS["vehicle"].mean()
        assert comparison.mean_difference == pytest.approx(diff, rel=1e-12)


def test_each_comparison_carries_hedges_g_with_its_interval() -> None:
    result = analyse_arms(GROUPS, "vehicle", primary="dunnett")
    reference = GROUPS["vehicle"]
    for comparison in result.dunnett:
        treated = GROUPS[comparison.arm]
        n1, n2 = treated.size, reference.size
        df = n1 + n2 - 2
        pooled_sd = math.sqrt(((n1 - 1) * treated.var(ddof=1) + (n2 - 1) * reference.var(ddof=1)) / df)
        # Hedges & Olkin's exact J = Gamma(df / 2) / (sqrt(df / 2) Gamma((df - 1) / 2))
        j = special.gamma(df / 2) / (math.sqrt(df / 2) * special.gamma((df - 1) / 2))
        g = j * (treated.mean() - reference.mean()) / pooled_sd
        assert comparison.hedges_g == pytest.approx(g, rel=1e-12)
        # each limit is the noncentrality (as g) putting the observed t at the 97.5th / 2.5th percentile
        scale = math.sqrt(1 / n1 + 1 / n2)
        t_observed = g / j / scale
        low, high = comparison.hedges_g_ci
        assert stats.nct.cdf(t_observed, df, low / j / scale) == pytest.approx(0.975, abs=1e-8)
        assert stats.nct.cdf(t_observed, df, high / j / scale) == pytest.approx(0.025, abs=1e-8)


def test_pooled_trend_contrast_matches_an_ols_t_test() -> None:
    arms = list(GROUPS)
    table = long_table(GROUPS).assign(arm=lambda t: pd.Categorical(t["arm"], categories=arms))
    fit = smf.ols("value ~ 0 + C(arm)", data=table).fit()
    centre = np.mean(list(DOSES.values()))
    contrast = np.array([[DOSES[arm] - centre for arm in arms]])
    direct = fit.t_test(contrast)
    result = trend_test(GROUPS, DOSES, variance="pooled")
    assert result.estimate == pytest.approx(float(direct.effect[0]), rel=1e-10)
    assert result.se == pytest.approx(float(direct.sd[0, 0]), rel=1e-10)
    assert result.t == pytest.approx(float(direct.tvalue[0, 0]), rel=1e-10)
    assert result.df == fit.df_resid
    assert result.p == pytest.approx(float(direct.pvalue), rel=1e-9)
    assert result.ci == pytest.approx(tuple(direct.conf_int()[0]), rel=1e-10)


def test_welch_trend_contrast_uses_each_arms_variance_and_satterthwaite_df() -> None:
    result = trend_test(GROUPS, DOSES)
    c = np.array(list(DOSES.values())) - np.mean(list(DOSES.values()))
    parts = np.array([ci**2 * x.var(ddof=1) / x.size for ci, x in zip(c, GROUPS.values(), strict=True)])
    df = parts.sum() ** 2 / sum(p**2 / (x.size - 1) for p, x in zip(parts, GROUPS.values(), strict=True))
    estimate = sum(ci * x.mean() for ci, x in zip(c, GROUPS.values(), strict=True))
    assert result.variance == "welch"
    assert result.se == pytest.approx(math.sqrt(parts.sum()), rel=1e-12)
    assert result.df == pytest.approx(df, rel=1e-12)
    assert result.p == pytest.approx(2 * stats.t.sf(abs(estimate / math.sqrt(parts.sum())), df), rel=1e-10)


def test_kruskal_wallis_and_the_assumption_checks_are_always_reported() -> None:
    result = analyse_arms(GROUPS, "vehicle", primary="dunnett", trend_scores=DOSES)
    direct = stats.kruskal(*GROUPS.values())
    assert result.kruskal_wallis.statistic == pytest.approx(direct.statistic, rel=1e-12)
    assert result.kruskal_wallis.p == pytest.approx(direct.pvalue, rel=1e-12)
    assert result.kruskal_wallis.df[0] == 3
    residuals = np.concatenate([x - x.mean() for x in GROUPS.values()])
    assert result.assumptions.residuals.w == pytest.approx(stats.shapiro(residuals).statistic, rel=1e-12)
    levene = stats.levene(*GROUPS.values(), center="median")
    assert result.assumptions.per_arm.levene_p == pytest.approx(levene.pvalue, rel=1e-12)
    assert [check.group for check in result.assumptions.per_arm.normality] == list(GROUPS)
    assert result.trend is not None and "Pre-declared primary test: dunnett" in result.method


def test_the_result_is_json_ready_and_nan_becomes_null() -> None:
    groups = dict(GROUPS, **{"30 mg/kg": np.array([5.0])})
    result = analyse_arms(groups, "vehicle", primary="welch_anova", trend_scores=DOSES)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["primary"] == "welch_anova"
    assert data["dunnett"][2]["p"] is None
    assert data["trend"] is None
    assert "an arm has n < 2: no Dunnett's test" in data["notes"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reference": "saline", "primary": "dunnett"}, "reference"),
        ({"reference": "vehicle", "primary": "t-test"}, "primary must be one of"),
        ({"reference": "vehicle", "primary": "trend"}, "needs trend_scores"),
        ({"reference": "vehicle", "primary": "trend", "trend_scores": {"vehicle": 0}}, "name every arm"),
        (
            {"reference": "vehicle", "primary": "trend", "trend_scores": dict.fromkeys(GROUPS, 1.0)},
            "all equal",
        ),
    ],
)
def test_a_bad_design_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        analyse_arms(GROUPS, **kwargs)  # type: ignore[arg-type]


def test_two_arms_are_refused() -> None:
    with pytest.raises(AnalysisError, match="three or more arms"):
        analyse_arms({"vehicle": [1.0, 2.0], "drug": [3.0, 4.0]}, "vehicle", primary="dunnett")
