"""The demo's designs: a dose-response with an inverted U, a stress x drug study whose question is the
interaction, protocols whose smallest effect fits the demo's animals, and refusals of what they cannot run."""

import math
from collections import Counter
from pathlib import Path

import pytest
from statsmodels.stats.power import TTestIndPower

from behavlab.errors import InvalidInputError
from behavlab.services import DemoPlan, Workspace, list_studies, run_demo
from behavlab.services.demo_designs import (
    DESIGNS,
    DOSE_RESPONSE,
    STRESS,
    demo_design,
    demo_protocol,
    with_factor_levels,
)
from cohorts.synth import synthetic_roster


def test_the_default_design_is_a_ketamine_dose_response_with_an_inverted_u() -> None:
    design = DESIGNS[DOSE_RESPONSE]
    doses = {arm.name: (arm.substance, arm.dose_mg_per_kg) for arm in design.arms.arms}
    assert doses == {
        "vehicle": ("saline", 0.0),
        "ket3": ("ketamine", 3.0),
        "ket10": ("ketamine", 10.0),
        "ket30": ("ketamine", 30.0),
    }
    assert design.arms.reference == "vehicle" and design.factor_name is None
    floating = {arm: design.behaviour[arm, None].immobile_fraction for arm in doses}
    assert min(floating, key=floating.__getitem__) == "ket10", "10 mg/kg is the strongest"
    assert (
        floating["vehicle"] > floating["ket3"] > floating["ket10"] < floating["ket30"] < floating["vehicle"]
    )


def test_the_stress_design_asks_whether_ketamine_works_in_stressed_mice_only() -> None:
    design = DESIGNS[STRESS]
    assert [arm.dose_mg_per_kg for arm in design.arms.arms] == [0.0, 10.0]
    assert design.factor_name == "stress" and set(design.factor_levels) == {"CUS", "control"}
    effect = {
        level: design.behaviour["vehicle", level].immobile_fraction
        - design.behaviour["ketamine", level].immobile_fraction
        for level in design.factor_levels
    }
    assert effect["CUS"] > 3 * effect["control"] > 0, "the interaction"
    stressed = design.behaviour["vehicle", "CUS"]
    assert stressed.sucrose_preference < design.behaviour["vehicle", "control"].sucrose_preference


@pytest.mark.parametrize("name", DESIGNS)
def test_each_design_splits_its_roster_evenly_by_sex_and_factor_level_in_whole_cages(name: str) -> None:
    design = DESIGNS[name]
    roster = with_factor_levels(design, synthetic_roster(2 * design.animals_step, design.per_cage))
    cells = Counter((entry.sex, entry.factor_level) for entry in roster)
    assert len(set(cells.values())) == 1 and len(cells) == 2 * max(1, len(design.factor_levels)), cells
    levels_of_cage: dict[str, set[str | None]] = {}
    for entry in roster:
        levels_of_cage.setdefault(entry.cage, set()).add(entry.factor_level)
    assert all(len(levels) == 1 for levels in levels_of_cage.values()), "a cage shares its level"


def test_the_protocol_states_the_effect_the_demo_can_detect() -> None:
    plan = demo_protocol(DESIGNS[DOSE_RESPONSE], 24)
    assert (plan.test, plan.comparisons) == ("welch-anova+dunnett", ("each-vs-reference",))
    assert (plan.primary_outcome, plan.primary_method, plan.planned_n_per_arm) == ("immobility", "motion", 6)
    d = plan.smallest_effect_d
    solver = TTestIndPower()
    needed = solver.solve_power(effect_size=d, alpha=0.05 / 3, power=0.8, alternative="two-sided")
    smaller = solver.solve_power(effect_size=d - 0.1, alpha=0.05 / 3, power=0.8, alternative="two-sided")
    assert math.ceil(needed) <= 6 < math.ceil(smaller), "the smallest d (in 0.1 steps) 6 per arm detects"
    stress = demo_protocol(DESIGNS[STRESS], 24)
    assert (stress.test, stress.comparisons, stress.planned_n_per_arm) == (
        "two-way-anova",
        ("drug-x-factor",),
        12,
    )


def test_a_demo_too_small_for_any_stated_effect_plans_its_own_n_beside_a_larger_computed_one() -> None:
    plan = demo_protocol(DESIGNS[DOSE_RESPONSE], 8)
    needed = TTestIndPower().solve_power(
        effect_size=plan.smallest_effect_d, alpha=0.05 / 3, power=0.8, alternative="two-sided"
    )
    assert plan.planned_n_per_arm == 2 and math.ceil(needed) > 2


def test_an_unknown_design_or_an_uneven_roster_is_refused_before_anything_is_written(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    with pytest.raises(
        InvalidInputError, match=r"demo design 'latin-square' not known; accepted: dose-response, stress"
    ):
        run_demo(workspace, folder, DemoPlan(design="latin-square"))
    with pytest.raises(InvalidInputError, match=r"--animals 20: .* accepted: a multiple of 12 \(12, 24, 36"):
        demo_design(STRESS, 20)
    with pytest.raises(InvalidInputError, match=r"accepted: a multiple of 8"):
        run_demo(workspace, folder, DemoPlan(n_animals=4))
    assert list(folder.iterdir()) == [] and list_studies(workspace) == []
