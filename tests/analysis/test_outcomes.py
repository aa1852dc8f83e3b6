"""A study's outcomes analysed together: grouping, cage as the unit, sexes, periods, several arms."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.outcomes import analyse_outcome, analyse_study, cage_means


def study_table(
    *, sexes: str = "FM", arms: tuple[str, ...] = ("vehicle", "ketamine"), seed: int = 0
) -> pd.DataFrame:
    """24 animals in cages of 4 (one arm per cage), FST immobility by two methods and SPT over 3 periods."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(24):
        arm = arms[(i // 4) % len(arms)]
        sex = sexes[(i // 12) % len(sexes)]
        common = {"code": f"C{i:02d}", "arm": arm, "sex": sex, "cage": f"K{i // 4}"}
        immobility = 160 - (45 if arm != "vehicle" else 0) + rng.normal(0, 15)
        for method, offset in (("motion", 0.0), ("manual", 8.0)):
            value = immobility + offset
            rows.append(
                common | {"outcome": "fst_immobility_s", "method": method, "period": None, "value": value}
            )
        for p in range(3):
            value = 85 - (12 if arm == "vehicle" and p else 0) + rng.normal(0, 3)
            rows.append(
                common | {"outcome": "spt_preference_pct", "method": None, "period": f"p{p}", "value": value}
            )
    return pd.DataFrame(rows).assign(unit=lambda t: np.where(t["outcome"].str.startswith("fst"), "s", "%"))


def test_study_is_analysed_per_outcome_method_and_period() -> None:
    result = analyse_study(study_table(), "vehicle")
    keys = [(a.outcome, a.scoring, a.period) for a in result.outcomes]
    assert keys == [
        ("fst_immobility_s", "motion", None),
        ("fst_immobility_s", "manual", None),
        ("spt_preference_pct", None, "p0"),
        ("spt_preference_pct", None, "p1"),
        ("spt_preference_pct", None, "p2"),
    ]
    motion = result.outcomes[0]
    assert motion.unit == "s" and motion.experimental_unit == "animal"
    assert [s.group for s in motion.summaries] == ["vehicle", "ketamine"]
    assert [s.n for s in motion.summaries] == [12, 12]
    assert (
        motion.two_arm is not None
        and motion.two_arm.mean_difference < 0
        and motion.two_arm.hedges_g_ci[1] < 0
    )
    assert motion.two_way is not None and motion.two_way.rows[2].term == "arm x sex"
    assert motion.multi_arm is None
    [spt] = result.repeated
    assert (spt.outcome, spt.scoring, spt.unit) == ("spt_preference_pct", None, "%")
    assert spt.model.converged and spt.model.interaction_p < 0.05
    assert any("mixed model" in text for text in result.methods)
    assert len(result.methods) == len(set(result.methods))


def test_outcome_numbers_are_scipy_welch_on_the_same_rows() -> None:
    table = study_table()
    motion = table.loc[table["method"] == "motion"]
    analysis = analyse_outcome(motion, "vehicle", outcome="fst_immobility_s")
    drug = motion.loc[motion["arm"] == "ketamine", "value"]
    vehicle = motion.loc[motion["arm"] == "vehicle", "value"]
    expected = stats.ttest_ind(drug, vehicle, equal_var=False)
    assert analysis.two_arm is not None
    assert analysis.two_arm.welch_t == pytest.approx(expected.statistic, rel=1e-10)
    assert analysis.summaries[0].mean == pytest.approx(vehicle.mean())


def test_one_sex_has_no_two_way_anova() -> None:
    result = analyse_study(study_table(sexes="M"), "vehicle")
    assert all(analysis.two_way is None for analysis in result.outcomes)


def test_three_arms_use_the_several_arm_comparison() -> None:
    table = study_table(arms=("vehicle", "ketamine 3", "ketamine 10"))
    motion = table.loc[table["method"] == "motion"]
    analysis = analyse_outcome(motion, "vehicle", outcome="fst_immobility_s")
    assert analysis.two_arm is None and analysis.multi_arm is not None
    assert [c.arm for c in analysis.comparisons] == ["ketamine 3", "ketamine 10"]
    assert any("Holm" in text for text in analysis.methods)


def test_cage_means_make_the_cage_the_unit() -> None:
    table = study_table()
    motion = table.loc[table["method"] == "motion"]
    means = cage_means(motion)
    assert len(means) == 6 and list(means["code"]) == list(means["cage"])
    assert means.loc[means["cage"] == "K0", "value"].iloc[0] == pytest.approx(motion["value"].iloc[:4].mean())
    analysis = analyse_outcome(motion, "vehicle", outcome="fst_immobility_s", by_cage=True)
    assert analysis.experimental_unit == "cage"
    assert [s.n for s in analysis.summaries] == [3, 3]
    assert "cage" in analysis.notes[0] and "Lazic" in analysis.method
    result = analyse_study(table, "vehicle", by_cage=True)
    assert result.repeated[0].experimental_unit == "cage" and result.repeated[0].model.n_units == 6


def test_a_cage_with_two_arms_cannot_be_the_unit() -> None:
    table = study_table()
    table.loc[0, "cage"] = "K1"
    with pytest.raises(ValueError, match="more than one arm"):
        cage_means(table.loc[table["method"] == "motion"])


def test_refusals_name_the_problem() -> None:
    table = study_table()
    motion = table.loc[table["method"] == "motion"]
    with pytest.raises(ValueError, match="unmasked"):
        analyse_outcome(motion.assign(arm=None), "vehicle")
    with pytest.raises(ValueError, match="more than one value"):
        analyse_outcome(pd.concat([motion, motion.head(1)]), "vehicle")
    with pytest.raises(ValueError, match="lacks the columns"):
        analyse_study(motion.drop(columns="unit"), "vehicle")


def test_a_reference_without_values_is_reported_not_fatal() -> None:
    table = study_table()
    motion = table.loc[(table["method"] == "motion") & (table["arm"] == "ketamine")]
    analysis = analyse_outcome(motion, "vehicle")
    assert analysis.summaries[0].n == 0 and analysis.two_arm is not None
    assert "n >= 2" in analysis.two_arm.notes[0]
