"""Power-based sample size, against statsmodels' TTestIndPower called directly on the same inputs."""

import json
import math

import pytest
from statsmodels.stats.power import TTestIndPower

from analysis.errors import AnalysisError
from analysis.power import SampleSize, sample_size


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
    assert result.n_per_arm == 2
    assert isinstance(result, SampleSize)
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()


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


def test_the_range_limits_are_accepted() -> None:
    assert sample_size(1.0, alpha=0.5, power=0.5).n_per_arm >= 2
    assert sample_size(1.0, alpha=0.001, power=0.99).n_per_arm > sample_size(1.0).n_per_arm
