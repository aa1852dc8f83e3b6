"""Group results for the screens: nothing while blind; after unmasking, the report's analysis of each
outcome with the values per arm it used, excluded animals left out."""

import math
from pathlib import Path

import pytest
from scipy import stats

from behavlab.services import (
    Workspace,
    add_fst_session,
    exclude_animal,
    fst_outcomes,
    immobility_text,
    record_manual_score,
    study_results,
    unmask_study,
)
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tracking.synth.videos import write_fst_video


@pytest.fixture
def scored(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> dict[str, float]:
    """Manual scores of three animals per arm (one of them, in arm 0, excluded afterwards)."""
    by_arm = [
        sorted(c for label, c in randomized.codes.items() if randomized.arms[label] == a) for a in (0, 1)
    ]
    scores = dict(zip(by_arm[0][:3] + by_arm[1][:3], [150.0, 140.0, 30.0, 90.0, 80.0, 100.0], strict=True))
    for index, (code, seconds) in enumerate(scores.items()):
        video = tmp_path / f"fst{index}.mp4"
        write_fst_video(video, duration_s=1, fps=10, size=(96, 64), seed=index)
        add_fst_session(workspace, randomized.name, code, video)
        record_manual_score(workspace, randomized.name, code, seconds, "blind scorer")
    label = next(label for label, code in randomized.codes.items() if code == by_arm[0][2])
    exclude_animal(workspace, randomized.name, label, "fight wound", True)
    return scores


def test_a_blind_study_has_no_group_results(
    workspace: Workspace, randomized: RandomizedStudy, scored: dict[str, float]
) -> None:
    results = study_results(workspace, randomized.name)
    assert (results.blinded, results.reference, results.arms, results.outcomes) == (True, None, (), ())


def test_after_unmasking_each_outcome_has_its_statistics_and_values_by_arm(
    workspace: Workspace, randomized: RandomizedStudy, scored: dict[str, float]
) -> None:
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="pilot")
    results = study_results(workspace, randomized.name)
    assert (results.blinded, results.reference, results.arms) == (False, "vehicle", ("vehicle", "ketamine"))
    assert results.n_excluded == 1
    (immobility,) = results.outcomes
    assert (immobility.title, immobility.unit) == ("FST immobility (manual)", "s")
    assert {arm: sorted(values) for arm, values in immobility.values.items()} == {
        "vehicle": [140.0, 150.0],
        "ketamine": [80.0, 90.0, 100.0],
    }
    reference, drug = immobility.statistics_rows()
    assert reference == ("vehicle", "2", "145 ± 7.071", "reference", "", "", "")
    drug_values, vehicle_values = [80.0, 90.0, 100.0], [140.0, 150.0]
    welch = stats.ttest_ind(drug_values, vehicle_values, equal_var=False)
    pooled_sd = math.sqrt((2 * 100.0 + 1 * 50.0) / 3)
    hedges_j = math.gamma(1.5) / (math.sqrt(1.5) * math.gamma(1.0))
    assert drug[:3] == ("ketamine", "3", "90 ± 10") and drug[3].startswith("-55 [")
    assert drug[4].startswith(f"{hedges_j * -55 / pooled_sd:.3g} [")
    assert drug[5] == f"{welch.pvalue:.3f}"
    assert drug[6] == f"{stats.mannwhitneyu(drug_values, vehicle_values).pvalue:.3f}"


def test_fst_outcomes_give_each_code_its_immobility_and_an_arm_only_once_unmasked(
    workspace: Workspace, randomized: RandomizedStudy, scored: dict[str, float]
) -> None:
    blind = fst_outcomes(workspace, randomized.name)
    assert blind.immobility_s == {code: {"manual": seconds} for code, seconds in scored.items()}
    assert blind.arm_of == {} and blind.per_minute_s == {}
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="pilot")
    arm_of = fst_outcomes(workspace, randomized.name).arm_of
    arms = ("vehicle", "ketamine")
    assert arm_of == {code: arms[randomized.arms[label]] for label, code in randomized.codes.items()}


def test_immobility_text_lists_each_method_or_a_dash() -> None:
    assert immobility_text({"motion": 120.04, "manual": 150.0}) == "manual 150.0, motion 120.0"
    assert immobility_text({}) == "-"
