"""Power-based sample size, against statsmodels' TTestIndPower called directly on the same inputs."""

import json
import math

import pytest
from scipy import stats
from statsmodels.stats.power import TTestIndPower

from analysis.errors import AnalysisError
from analysis.power import TWO_ARM_METHOD, sample_size


@pytest.mark.parametrize(("d", "alpha", "power"), [(1.0, 0.05, 0.8), (0.8, 0.01, 0.9), (1.5, 0.1, 0.95)])
def test_two_arms_match_ttestindpower(d: float, alpha: float, power: float) -> None:
    result = sample_size(d, alpha=alpha, power=power)
    exact = TTestIndPower().solve_power(effect_size=d, alpha=alpha, power=power, alternative="two-sided")
    assert result.n_per_arm == math.ceil(exact)
    assert result.n_total == 2 * result.n_per_arm
    assert result.achieved_power == pytest.approx(
        TTestIndPower().power(effect_size=d, nobs1=result.n_per_arm, alpha=alpha), rel=1e-12
    )
    assert result.achieved_power >= power
    assert TTestIndPower().power(effect_size=d, nobs1=result.n_per_arm - 1, alpha=alpha) < power
    assert result.inputs["adjustment"] == "none"
    assert "TTestIndPower" in result.method


def test_d_of_one_needs_17_animals_per_arm() -> None:
    # Cohen's table: d = 1, two-sided alpha 0.05, power 0.8 -> 16.7 per group
    assert sample_size(1.0).n_per_arm == 17


@pytest.mark.parametrize("n_arms", [3, 4, 5])
def test_k_arms_split_alpha_over_the_comparisons_with_the_reference(n_arms: int) -> None:
    result = sample_size(0.8, n_arms=n_arms, alpha=0.05, power=0.8)
    comparisons = n_arms - 1
    exact = TTestIndPower().solve_power(effect_size=0.8, alpha=0.05 / comparisons, power=0.8)
    assert result.n_per_arm == math.ceil(exact)
    assert result.n_total == n_arms * result.n_per_arm
    assert result.n_per_arm > sample_size(0.8).n_per_arm
    assert result.inputs == {
        "effect_size_d": 0.8,
        "alpha": 0.05,
        "power": 0.8,
        "n_arms": n_arms,
        "comparisons": comparisons,
        "alpha_per_comparison": 0.05 / comparisons,
        "adjustment": "Bonferroni",
        "alternative": "two-sided",
    }
    assert "Bonferroni" in result.method and "Dunnett" in result.method


def test_a_huge_effect_still_needs_two_animals_per_arm_and_the_result_is_json_ready() -> None:
    result = sample_size(20.0)
    assert (result.n_per_arm, result.n_total) == (2, 4)
    # n = 2 per arm: df 2, noncentrality 20 * sqrt(2 / 2); the lower rejection region is negligible
    upper_region = stats.nct.sf(stats.t.ppf(0.975, 2), 2, 20.0)
    assert result.achieved_power == pytest.approx(upper_region, rel=1e-9)
    assert json.loads(json.dumps(result.to_dict())) == {
        "n_per_arm": 2,
        "n_total": 4,
        "achieved_power": result.achieved_power,
        "method": TWO_ARM_METHOD,
        "inputs": result.inputs,
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"smallest_effect_d": 0.0}, "smallest_effect_d"),
        ({"smallest_effect_d": -0.5}, "smallest_effect_d"),
        ({"smallest_effect_d": math.nan}, "smallest_effect_d"),
        ({"smallest_effect_d": 1.0, "alpha": 0.0}, "alpha"),
        ({"smallest_effect_d": 1.0, "alpha": 0.6}, "alpha"),
        ({"smallest_effect_d": 1.0, "power": 0.4}, "power"),
        ({"smallest_effect_d": 1.0, "power": 0.995}, "power"),
        ({"smallest_effect_d": 1.0, "n_arms": 1}, "n_arms"),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(kwargs: dict[str, float], field: str) -> None:
    d = kwargs.pop("smallest_effect_d")
    with pytest.raises(AnalysisError, match=field):
        sample_size(d, **kwargs)  # type: ignore[arg-type]


def _smallest_n_by_search(d: float, alpha: float, power: float) -> int:
    """The smallest n >= 2 per arm whose two-sided t-test power (SciPy's noncentral t) reaches `power`.

    The lower rejection region's probability is taken as 0 where SciPy gives NaN for it (it underflows).
    """
    n = 2
    while True:
        df, noncentrality = 2 * n - 2, d * math.sqrt(n / 2)
        critical = stats.t.ppf(1 - alpha / 2, df)
        lower = stats.nct.cdf(-critical, df, noncentrality)
        if stats.nct.sf(critical, df, noncentrality) + (0.0 if math.isnan(lower) else lower) >= power:
            return n
        n += 1


@pytest.mark.parametrize(("alpha", "power"), [(0.5, 0.5), (0.001, 0.99)])
def test_the_range_limits_are_accepted(alpha: float, power: float) -> None:
    assert sample_size(1.0, alpha=alpha, power=power).n_per_arm == _smallest_n_by_search(1.0, alpha, power)


def test_every_bad_input_is_named_in_one_refusal() -> None:
    with pytest.raises(AnalysisError) as refused:
        sample_size(-0.5, n_arms=1, alpha=0.9, power=0.2)
    assert str(refused.value) == (
        "smallest_effect_d: -0.5; accepted: a finite Cohen's d > 0 (its size; the sign does not matter); "
        "n_arms: 1; accepted: a whole number >= 2; alpha: 0.9; accepted: > 0 and <= 0.5; "
        "power: 0.2; accepted: 0.5 to 0.99"
    )
