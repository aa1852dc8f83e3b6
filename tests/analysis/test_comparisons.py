"""Two-arm and several-arm comparisons, against SciPy and formulas computed by hand here."""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.comparisons import compare_arms, compare_two_arms, hedges_correction, hedges_g_interval, holm

DRUG = [1.0, 2.0, 3.0, 4.0, 5.0]
VEHICLE = [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]


def welch_by_hand(x: list[float], y: list[float]) -> tuple[float, float, float]:
    """Welch's t, Welch-Satterthwaite df and the CI half-width, from the textbook formulas."""
    n1, n2 = len(x), len(y)
    v1, v2 = np.var(x, ddof=1) / n1, np.var(y, ddof=1) / n2
    t = (np.mean(x) - np.mean(y)) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return t, df, stats.t.ppf(0.975, df) * math.sqrt(v1 + v2)


def test_welch_t_and_mean_difference_ci_match_the_formulas() -> None:
    result = compare_two_arms("ketamine", DRUG, "vehicle", VEHICLE)
    t, df, half = welch_by_hand(DRUG, VEHICLE)
    assert result.mean_difference == -2.5
    assert result.welch_t == pytest.approx(t, rel=1e-9)
    assert result.welch_df == pytest.approx(df, rel=1e-9)
    assert result.welch_p == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9)
    assert result.mean_difference_ci == pytest.approx((-2.5 - half, -2.5 + half), rel=1e-9)
    assert (result.n_arm, result.n_reference, result.notes) == (5, 6, ())


def test_hedges_g_matches_a_hand_computation() -> None:
    # pooled SD = sqrt((4 * 2.5 + 5 * 3.5) / 9) = 1.74801; d = -2.5 / 1.74801 = -1.43019
    # J = Gamma(4.5) / (sqrt(4.5) * Gamma(4)) = 0.913875; g = J * d = -1.30702
    result = compare_two_arms("ketamine", DRUG, "vehicle", VEHICLE)
    assert result.hedges_g == pytest.approx(-1.30702, abs=5e-5)
    assert hedges_correction(9) == pytest.approx(
        math.gamma(4.5) / (math.sqrt(4.5) * math.gamma(4)), rel=1e-12
    )
    # Hedges' approximation 1 - 3 / (4 df - 1) is within 0.05% of the exact J at df = 9
    assert hedges_correction(9) == pytest.approx(1 - 3 / 35, rel=5e-4)
    low, high = result.hedges_g_ci
    assert low < result.hedges_g < high < 0


def test_hedges_g_limits_put_the_observed_t_at_the_right_noncentral_percentiles() -> None:
    n1, n2, g = 8, 10, 0.9
    low, high = hedges_g_interval(g, n1, n2)
    j, scale, df = hedges_correction(n1 + n2 - 2), math.sqrt(1 / n1 + 1 / n2), n1 + n2 - 2
    t_observed = g / j / scale
    assert stats.nct.cdf(t_observed, df, low / j / scale) == pytest.approx(0.975, abs=1e-7)
    assert stats.nct.cdf(t_observed, df, high / j / scale) == pytest.approx(0.025, abs=1e-7)


def test_hedges_g_ci_approaches_the_hedges_olkin_normal_interval_at_large_n() -> None:
    n1 = n2 = 400
    g = 0.5
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    low, high = hedges_g_interval(g, n1, n2)
    assert low == pytest.approx(g - 1.959964 * se, rel=5e-3)
    assert high == pytest.approx(g + 1.959964 * se, rel=5e-3)


def test_mann_whitney_matches_scipy_exact_without_ties_and_asymptotic_with_ties() -> None:
    x, y = [1.1, 2.3, 0.4, 3.9], [5.2, 4.4, 6.1, 2.8, 7.0]
    result = compare_two_arms("a", x, "b", y)
    expected = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
    assert result.mann_whitney_exact
    assert (result.mann_whitney_u, result.mann_whitney_p) == pytest.approx(
        (expected.statistic, expected.pvalue)
    )
    tied = compare_two_arms("k", DRUG, "v", VEHICLE)
    expected = stats.mannwhitneyu(DRUG, VEHICLE, alternative="two-sided", method="asymptotic")
    assert not tied.mann_whitney_exact and "tie" in tied.method
    assert tied.mann_whitney_p == pytest.approx(expected.pvalue)


def test_direction_is_arm_minus_reference() -> None:
    lower = compare_two_arms("ketamine", [100.0, 110.0, 95.0, 105.0], "vehicle", [150.0, 160.0, 140.0, 155.0])
    assert lower.mean_difference < 0 and lower.welch_t < 0 and lower.hedges_g < 0
    assert lower.mean_difference_ci[1] < 0 and lower.hedges_g_ci[1] < 0
    assert lower.method.startswith("ketamine minus vehicle")
    swapped = compare_two_arms(
        "vehicle", [150.0, 160.0, 140.0, 155.0], "ketamine", [100.0, 110.0, 95.0, 105.0]
    )
    assert swapped.hedges_g == pytest.approx(-lower.hedges_g)
    assert swapped.hedges_g_ci == pytest.approx((-lower.hedges_g_ci[1], -lower.hedges_g_ci[0]))


def test_small_n_and_zero_variance_give_nan_with_reasons() -> None:
    tiny = compare_two_arms("a", [1.0], "b", [2.0, 3.0])
    assert math.isnan(tiny.welch_p) and math.isnan(tiny.hedges_g) and math.isnan(tiny.mann_whitney_p)
    assert "n >= 2" in tiny.notes[0]
    assert tiny.mean_difference == -1.5
    flat = compare_two_arms("a", [5.0, 5.0, 5.0], "b", [5.0, 5.0])
    assert math.isnan(flat.welch_t) and math.isnan(flat.hedges_g)
    assert any("no variance" in note for note in flat.notes)
    assert any("tied" in note for note in flat.notes)
    one_flat = compare_two_arms("a", [5.0, 5.0, 5.0], "b", [1.0, 2.0, 3.0])
    assert math.isfinite(one_flat.welch_p) and math.isfinite(one_flat.hedges_g)


def test_holm_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03, 2 x 0.03 = 0.06, max(1 x 0.04, 0.06) = 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx((0.03, 0.06, 0.06))
    adjusted = holm([0.2, float("nan"), 0.01])
    assert (
        adjusted[0] == pytest.approx(0.2) and math.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.02)
    )


def welch_anova_by_hand(groups: list[list[float]]) -> tuple[float, float, float]:
    """Welch's (1951) F and its two df."""
    k = len(groups)
    n = np.array([len(g) for g in groups], dtype=float)
    means = np.array([np.mean(g) for g in groups])
    w = n / np.array([np.var(g, ddof=1) for g in groups])
    grand = (w * means).sum() / w.sum()
    a = (w * (means - grand) ** 2).sum() / (k - 1)
    tmp = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    b = 1 + 2 * (k - 2) / (k**2 - 1) * tmp
    return a / b, k - 1, (k**2 - 1) / (3 * tmp)


def test_several_arms_omnibus_tests_and_holm_against_reference() -> None:
    groups = {
        "vehicle": [150.0, 162.0, 141.0, 170.0, 155.0, 149.0],
        "ketamine 3": [140.0, 151.0, 128.0, 160.0, 139.0, 147.0],
        "ketamine 10": [101.0, 122.0, 95.0, 130.0, 110.0, 99.0],
    }
    result = compare_arms(groups, "vehicle")
    samples = list(groups.values())
    classic = stats.f_oneway(*samples)
    assert (result.anova_f, result.anova_p) == pytest.approx((classic.statistic, classic.pvalue))
    assert result.anova_df == (2.0, 15.0)
    f, df1, df2 = welch_anova_by_hand(samples)
    assert result.welch_f == pytest.approx(f, rel=1e-9)
    assert result.welch_df == pytest.approx((df1, df2), rel=1e-9)
    assert result.welch_p == pytest.approx(stats.f.sf(f, df1, df2), rel=1e-9)
    ranks = stats.kruskal(*samples)
    assert (result.kruskal_h, result.kruskal_p, result.kruskal_df) == pytest.approx(
        (ranks.statistic, ranks.pvalue, 2)
    )
    pairs = result.versus_reference
    assert [pair.comparison.arm for pair in pairs] == ["ketamine 3", "ketamine 10"]
    raw = [
        stats.ttest_ind(groups[arm], groups["vehicle"], equal_var=False).pvalue
        for arm in groups
        if arm != "vehicle"
    ]
    assert [pair.welch_p_holm for pair in pairs] == pytest.approx(holm(raw))
    assert pairs[1].comparison.hedges_g < 0 and pairs[1].welch_p_holm < 0.05
    assert "Holm" in result.method


def test_several_arms_refuse_a_missing_reference_and_report_tiny_arms() -> None:
    with pytest.raises(ValueError, match="reference arm"):
        compare_arms({"a": [1.0, 2.0], "b": [1.0, 2.0], "c": [3.0, 4.0]}, "vehicle")
    with pytest.raises(ValueError, match="three or more"):
        compare_arms({"a": [1.0, 2.0], "b": [1.0, 2.0]}, "a")
    tiny = compare_arms({"v": [1.0, 2.0], "a": [1.0], "b": [3.0, 4.0]}, "v")
    assert math.isnan(tiny.anova_p) and "n < 2" in tiny.notes[0]
    assert math.isnan(tiny.versus_reference[0].welch_p_holm)
    assert tiny.versus_reference[1].welch_p_holm == pytest.approx(tiny.versus_reference[1].comparison.welch_p)
