"""The protocol plan: every problem named at once, defaults by design, the sample size from analysis.power,
and a canonical JSON whose SHA-256 does not depend on key order."""

import hashlib
import json

import pytest

from analysis.errors import AnalysisError
from analysis.plan import (
    PlanDesign,
    PlanError,
    ProtocolPlan,
    canonical_json,
    make_plan,
    plan_from_json,
    plan_sha256,
)
from analysis.power import sample_size

DESIGN = PlanDesign(
    n_arms=2,
    has_factor=False,
    outcomes={"fst_immobility_s": True, "spt_preference_pct": False},
    methods=("motion", "manual"),
    test_hours_post_dose=24.0,
)


def test_the_defaults_fill_the_design_and_the_sample_size_comes_from_analysis_power() -> None:
    plan = make_plan(ProtocolPlan("fst_immobility_s", "motion", 1.2), DESIGN)
    expected = sample_size(1.2, n_arms=2, alpha=0.05, power=0.8)
    assert (plan.test, plan.comparisons, plan.test_hours_post_dose) == (
        "welch-t",
        ("each-vs-reference",),
        24.0,
    )
    assert plan.sample_size is not None and plan.sample_size.n_per_arm == expected.n_per_arm
    assert plan.sample_size.inputs == expected.inputs and plan.planned_n_per_arm == expected.n_per_arm
    four_arms = make_plan(ProtocolPlan("fst_immobility_s", "motion", 1.2, planned_n_per_arm=10), _arms(4))
    assert (four_arms.test, four_arms.planned_n_per_arm) == ("welch-anova+dunnett", 10)
    assert (
        four_arms.sample_size
        == make_plan(ProtocolPlan("fst_immobility_s", "motion", 1.2), _arms(4)).sample_size
    )


def _arms(n_arms: int) -> PlanDesign:
    return PlanDesign(n_arms, DESIGN.has_factor, DESIGN.outcomes, DESIGN.methods, DESIGN.test_hours_post_dose)


def test_every_problem_is_named_with_its_field_and_what_is_accepted() -> None:
    bad = ProtocolPlan(
        "freezing",
        None,
        -0.5,
        test_hours_post_dose=-1.0,
        secondary_outcomes=("freezing",),
        comparisons=("drug-x-factor",),
        test="anova",
        alpha=0.9,
        power=0.2,
        planned_n_per_arm=1,
        outlier_rules="x" * 2001,
    )
    with pytest.raises(PlanError) as refused:
        make_plan(bad, DESIGN)
    fields = [problem.split(":")[0] for problem in refused.value.problems]
    assert fields == [
        "primary outcome",
        "secondary outcome",
        "test",
        "comparison",
        "smallest effect d",
        "alpha",
        "power",
        "planned n per arm",
        "test hours after dosing",
        "outlier rules",
    ]
    assert all("accepted:" in problem for problem in refused.value.problems)
    assert str(refused.value).startswith("protocol plan refused (10 problems):")


def test_the_plan_refuses_the_sizing_inputs_by_the_rule_of_analysis_power() -> None:
    bad = ProtocolPlan("fst_immobility_s", "motion", float("nan"), alpha=0.9, power=0.995)
    with pytest.raises(PlanError) as refused:
        make_plan(bad, _arms(3))
    with pytest.raises(AnalysisError) as power_refused:
        sample_size(float("nan"), n_arms=3, alpha=0.9, power=0.995)
    assert refused.value.problems == (
        "smallest effect d: nan; accepted: a finite Cohen's d > 0 (its size; the sign does not matter)",
        "alpha: 0.9; accepted: > 0 and <= 0.5",
        "power: 0.995; accepted: 0.5 to 0.99",
    )
    assert str(power_refused.value) == "; ".join(
        problem.replace("smallest effect d", "smallest_effect_d") for problem in refused.value.problems
    )


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        (ProtocolPlan("fst_immobility_s", None, 1.0), "primary method: None does not score"),
        (ProtocolPlan("spt_preference_pct", "motion", 1.0), "accepted: none"),
        (ProtocolPlan("fst_immobility_s", "motion", 1.0, test="trend-contrast"), "needs three or more arms"),
        (ProtocolPlan("fst_immobility_s", "motion", 1.0, test="two-way-anova"), "needs the study's factor"),
    ],
)
def test_a_plan_that_does_not_fit_the_design_is_refused(plan: ProtocolPlan, problem: str) -> None:
    with pytest.raises(PlanError, match=problem):
        make_plan(plan, DESIGN)


def test_the_canonical_json_and_its_hash_do_not_depend_on_key_order() -> None:
    plan = make_plan(
        ProtocolPlan("fst_immobility_s", "motion", 1.2, inclusion_criteria="males 8-10 weeks"), DESIGN
    )
    text = canonical_json(plan)
    reordered = json.dumps(dict(reversed(list(json.loads(text).items()))))
    assert reordered != text
    assert canonical_json(plan_from_json(reordered)) == text
    assert plan_from_json(text) == plan
    assert plan_sha256(text) == hashlib.sha256(text.encode()).hexdigest()
    changed = make_plan(ProtocolPlan("fst_immobility_s", "motion", 1.3), DESIGN)
    assert plan_sha256(canonical_json(changed)) != plan_sha256(text)
