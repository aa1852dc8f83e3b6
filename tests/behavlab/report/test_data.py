"""ReportData validation: a blind report cannot hold an arm; an unmasked one must be consistent."""

from dataclasses import replace
from typing import Any

import pytest

from behavlab.report import ArmInfo, ReportData
from behavlab.report.data import outcome_groups
from behavlab.report.measures import IMMOBILITY_OUTCOME, LATENCY_OUTCOME, SPT_OUTCOME
from tests.behavlab.report import synthetic_report


def rebuilt(data: ReportData, **changes: Any) -> ReportData:
    """Construct anew (running validation) with some fields changed."""
    return ReportData(**{**data.__dict__, **changes})


@pytest.mark.parametrize(
    "change",
    [
        lambda d: {"outcomes": d.outcomes.assign(arm="vehicle")},
        lambda d: {"immobility_per_minute": d.immobility_per_minute.assign(arm="vehicle")},
        lambda d: {"arms": (ArmInfo("vehicle", "saline", 0.0, reference=True),)},
        lambda d: {"animals": (replace(d.animals[0], arm="vehicle"), *d.animals[1:])},
        lambda d: {"exclusions": (replace(d.exclusions[0], arm="vehicle"),)},
        lambda d: {"emergency_unblindings": (replace(d.emergency_unblindings[0], arm="vehicle"),)},
    ],
)
def test_a_blind_report_refuses_any_arm(change: Any) -> None:
    data = synthetic_report(blinded=True)
    with pytest.raises(ValueError, match="blind report must hold no arm"):
        rebuilt(data, **change(data))


def test_a_blind_report_refuses_the_sealed_seed_and_an_unmasking_time() -> None:
    data = synthetic_report(blinded=True)
    assert data.randomization is not None
    with pytest.raises(ValueError, match="seed, block sizes"):
        rebuilt(data, randomization=replace(data.randomization, seed=1))
    unmasked = synthetic_report().blinding
    with pytest.raises(ValueError, match="unmasking time"):
        rebuilt(data, blinding=unmasked)


def test_an_unmasked_report_needs_consistent_arms() -> None:
    data = synthetic_report()
    with pytest.raises(ValueError, match="exactly one arm must be the reference"):
        rebuilt(data, arms=(ArmInfo("vehicle", "saline", 0.0), ArmInfo("ketamine", "ketamine", 10.0)))
    with pytest.raises(ValueError, match="two or more distinct arms"):
        rebuilt(data, arms=(ArmInfo("vehicle", "saline", 0.0, reference=True),))
    with pytest.raises(ValueError, match=r"arms \['ketamin'\] are not among"):
        rebuilt(data, animals=(replace(data.animals[0], arm="ketamin"), *data.animals[1:]))
    swapped = data.outcomes.copy()
    swapped.loc[swapped["code"] == data.animals[0].code, "arm"] = "ketamine"
    with pytest.raises(ValueError, match="another arm than the animal list"):
        rebuilt(data, outcomes=swapped)
    with pytest.raises(ValueError, match="have no arm in an unmasked report"):
        rebuilt(data, outcomes=data.outcomes.assign(arm=None))


def test_codes_and_columns_are_checked() -> None:
    data = synthetic_report()
    with pytest.raises(ValueError, match="appear more than once"):
        rebuilt(data, animals=(*data.animals, data.animals[0]))
    with pytest.raises(ValueError, match="not among the study's animals"):
        rebuilt(data, animals=data.animals[1:])
    with pytest.raises(ValueError, match=r"outcomes.value must hold numbers"):
        rebuilt(data, outcomes=data.outcomes.assign(value="12 s"))
    with pytest.raises(ValueError, match=r"outcomes lacks the columns \['unit'\]"):
        rebuilt(data, outcomes=data.outcomes.drop(columns="unit"))


def test_helpers_name_outcomes_and_leave_out_excluded_animals() -> None:
    data = synthetic_report()
    assert data.reference_arm == "vehicle" and data.arm_names == ("vehicle", "ketamine")
    assert data.excluded_codes == {"QX23R"}
    assert "QX23R" not in set(data.analysed_outcomes["code"]) and "QX23R" in set(data.outcomes["code"])
    assert "QX23R" not in set(data.analysed_per_minute["code"])
    assert data.title(IMMOBILITY_OUTCOME, "motion") == "FST immobility (motion)"
    assert data.title(SPT_OUTCOME, None, "day 1") == "Sucrose preference - day 1"
    assert data.title("rotarod_s") == "rotarod s" and data.definition("rotarod_s").definition == "not stated"
    assert not data.cage_is_unit and synthetic_report(method="cage-cluster").cage_is_unit
    keys = [(outcome, method, period) for outcome, method, period, _ in outcome_groups(data.outcomes)]
    assert keys[:3] == [
        (IMMOBILITY_OUTCOME, "motion", None),
        (IMMOBILITY_OUTCOME, "manual", None),
        (LATENCY_OUTCOME, "motion", None),
    ]
    assert keys[3:] == [(SPT_OUTCOME, None, f"day {p}") for p in range(3)]
    blind = synthetic_report(blinded=True)
    assert blind.reference_arm is None and blind.arm_names == ()
