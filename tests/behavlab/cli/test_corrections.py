"""Study settings, the declared primary outcome and voids on the command line."""

from datetime import timedelta

from behavlab.services import Workspace, dosing_sheet, get_study, record_dose
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import RandomizedStudy


def test_a_study_is_created_with_its_syringe_and_balance_and_shows_them(
    cli: Invoke, workspace: Workspace
) -> None:
    created = cli(
        "study",
        "create",
        "fine",
        "--syringe-graduation-ml",
        "0.005",
        "--volume-tolerance-pct",
        "3",
        "--weight-precision-g",
        "0.01",
    )
    assert created.exit_code == 0, created.output
    study = get_study(workspace, "fine").study
    assert (study.syringe_graduation_ml, study.volume_tolerance_pct, study.weight_precision_g) == (
        0.005,
        3.0,
        0.01,
    )
    assert (
        "read to 0.005 mL" in created.output
        and "within 3 %" in created.output
        and "to 0.01 g" in created.output
    )
    assert "not declared" in created.output
    refused = cli("study", "create", "coarse", "--weight-precision-g", "0.2")
    assert refused.exit_code != 0 and "accepted: 0.001, 0.01, 0.1, 1 g" in refused.output


def test_the_primary_outcome_is_declared_and_shown(cli: Invoke, randomized: RandomizedStudy) -> None:
    declared = cli("study", "primary", randomized.name, "--outcome", "fst_immobility_s", "--method", "manual")
    assert declared.exit_code == 0, declared.output
    assert (
        "fst_immobility_s by manual (version 1" in declared.output
        and "after randomization, blind" in declared.output
    )
    again = cli("study", "primary", randomized.name, "--outcome", "fst_latency_s", "--method", "manual")
    assert again.exit_code != 0 and "a change needs its reason" in again.output
    assert "fst_immobility_s by manual" in cli("study", "show", randomized.name).output


def test_a_dose_is_voided_with_its_reason(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(1)
    at = randomized.weighed_at + timedelta(hours=1)
    dose = record_dose(workspace, randomized.name, code, at=at)
    missing = cli("void", randomized.name, "dose", str(dose.id))
    assert missing.exit_code != 0 and "--reason" in missing.output
    voided = cli("void", randomized.name, "dose", str(dose.id), "--reason", "wrong syringe")
    assert voided.exit_code == 0, voided.output
    assert f"voided dose {dose.id} of {code}: wrong syringe" in voided.output
    (line,) = [
        line for line in dosing_sheet(workspace, randomized.name, day=at.date()).lines if line.code == code
    ]
    assert not line.dosed
    timeline = cli("animals", "timeline", randomized.name, code)
    assert timeline.exit_code == 0, timeline.output
    (dose_line,) = [line for line in timeline.output.splitlines() if " dose " in line]
    assert f" {dose.id} " in dose_line and "VOID (wrong syringe)" in dose_line
    unknown = cli("void", randomized.name, "cage", "1", "--reason", "x")
    assert unknown.exit_code != 0 and "accepted: weight, dose, session, score, bottle-sheet" in unknown.output
