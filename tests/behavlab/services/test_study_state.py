"""Where a study stands, read from its tables: roster, allocation, doses, SPT periods and sheets, unmasked."""

from datetime import timedelta
from pathlib import Path

from behavlab.services import (
    StudySettings,
    Workspace,
    create_spt_period,
    create_study,
    record_dose,
    record_spt_bottles,
    study_state,
    unmask_study,
)
from behavlab.services.study_state import recorded_randomizations
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy


def test_a_new_study_has_nothing_recorded(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="empty"))
    state = study_state(workspace, "empty")
    assert (state.n_animals, state.randomized, state.n_doses, state.spt_periods) == (0, False, 0, 0)
    assert not state.unmasked


def test_doses_periods_sheets_and_unmasking_are_counted_from_the_tables(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    start = randomized.weighed_at
    dosed_at = start + timedelta(hours=1)
    record_dose(workspace, randomized.name, code, at=dosed_at)
    create_spt_period(workspace, randomized.name, "day1", start, start + timedelta(hours=12))
    create_spt_period(
        workspace, randomized.name, "day2", start + timedelta(hours=12), start + timedelta(hours=20)
    )
    sheet = tmp_path / "day1.csv"
    sheet.write_text(
        "code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g\n"
        f"{code},L,200,195,200,198\n"
    )
    record_spt_bottles(workspace, randomized.name, "day1", sheet)
    state = study_state(workspace, randomized.name)
    assert (state.n_animals, state.randomized, state.n_doses) == (24, True, 1)
    # dosed yesterday: the dashboard counts that dosing day, not the calendar day
    assert (state.dosing_day, state.dosed_on_dosing_day, state.to_dose_on_dosing_day) == (
        dosed_at.astimezone().date(),
        1,
        24,
    )
    assert (state.spt_periods, state.spt_sheets, state.unmasked) == (2, 1, False)
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="state test")
    assert study_state(workspace, randomized.name).unmasked


def test_the_recorded_randomization_is_its_method_strata_time_and_person_only(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    (record,) = recorded_randomizations(workspace, randomized.name)
    assert (record.sequence, record.n_animals, record.n_arms) == (1, 24, 2)
    assert record.method and record.created_by == "tester"
    assert set(vars(record)) == {
        "sequence",
        "method",
        "strata",
        "n_animals",
        "n_arms",
        "created_at",
        "created_by",
        "protocol_waived",
    }
    assert record.protocol_waived, "the fixture randomizes with --no-protocol"


def test_a_study_not_yet_randomized_has_no_recorded_randomization(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="fresh"))
    assert recorded_randomizations(workspace, "fresh") == []
