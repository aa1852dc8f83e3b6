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
    record_dose(workspace, randomized.name, code, at=start + timedelta(hours=1))
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
    assert (state.dosed_today, state.to_dose_today) == (0, 24)  # dosed yesterday; today's sheet lists all
    assert (state.spt_periods, state.spt_sheets, state.unmasked) == (2, 1, False)
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="state test")
    assert study_state(workspace, randomized.name).unmasked
