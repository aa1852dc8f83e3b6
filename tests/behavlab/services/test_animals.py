"""Roster import all-or-nothing, weight histories with the welfare flag, listing, exclusions as records."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.services import (
    StudySettings,
    Workspace,
    create_study,
    exclude_animal,
    import_roster,
    list_animals,
    list_events,
    record_weights,
)
from tests.behavlab.factories import roster_rows, write_csv, write_roster, write_weights


@pytest.fixture
def study(workspace: Workspace) -> str:
    create_study(workspace, StudySettings(name="cohort"))
    return "cohort"


def test_a_valid_roster_is_imported_with_cages_and_baseline_weights(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    result = import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 8))
    assert (result.n_animals, result.n_weights) == (8, 8)
    animals = list_animals(workspace, study)
    assert [a.label for a in animals] == ["F001", "F002", "F003", "F004", "M001", "M002", "M003", "M004"]
    first = animals[0]
    assert (first.sex, first.cage, first.baseline_weight_g, first.blind_code) == ("F", "F01", 20.5, None)
    (event,) = [e for e in list_events(workspace, study) if e.action == "animals.import"]
    assert result.roster_sha256 in event.payload


def test_a_faulty_roster_lists_every_problem_and_records_nothing(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    rows = roster_rows(6)
    rows[0]["sex"] = "X"
    rows[1]["dob"] = "2026-13-40"
    rows[2]["weight_g"] = "400"
    rows[3]["animal_id"] = rows[4]["animal_id"]
    rows[5]["cage"] = ""
    with pytest.raises(InvalidInputError) as caught:
        import_roster(workspace, study, write_csv(tmp_path / "bad.csv", rows))
    message = str(caught.value)
    assert "5 problems" in message
    for row, field in ((2, "sex"), (3, "dob"), (4, "weight_g"), (6, "animal_id"), (7, "cage")):
        assert f"bad.csv, row {row}, {field}" in message
    assert list_animals(workspace, study) == []
    assert [e.action for e in list_events(workspace, study)] == ["study.create"]


def test_animals_already_on_the_study_are_refused(workspace: Workspace, study: str, tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", 4)
    import_roster(workspace, study, roster)
    with pytest.raises(ConflictError, match="F001, F002, M001, M002"):
        import_roster(workspace, study, roster)
    assert len(list_animals(workspace, study)) == 4


def test_weights_build_a_history_and_flag_more_than_15_percent_loss(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 4))
    later = datetime.now(UTC) + timedelta(minutes=1)
    summary = record_weights(
        workspace, study, write_weights(tmp_path / "w.csv", {"M001": 20.3, "m002": 24.0}), now=later
    )
    assert summary.n_weights == 2
    assert summary.flagged == ["M001"]  # 24.0 g -> 20.3 g is a 15.4% loss
    by_label = {a.label: a for a in list_animals(workspace, study)}
    assert (by_label["M001"].baseline_weight_g, by_label["M001"].last_weight_g) == (24.0, 20.3)
    assert by_label["M001"].weight_loss_flag
    assert not by_label["M002"].weight_loss_flag
    assert by_label["M002"].last_weighed_at == later


def test_a_weight_for_an_unknown_animal_refuses_the_sheet(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 2))
    with pytest.raises(InvalidInputError, match="row 3, animal_id: 'GHOST' is not on the study's roster"):
        record_weights(workspace, study, write_weights(tmp_path / "w.csv", {"M001": 24.0, "GHOST": 22.0}))
    assert list_animals(workspace, study)[1].last_weight_g == 24.0


def test_exclusion_is_a_record_not_a_deletion(workspace: Workspace, study: str, tmp_path: Path) -> None:
    import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 2))
    exclusion = exclude_animal(workspace, study, "m001", "fight wound", criterion_set_a_priori=True)
    assert exclusion.decided_blind and exclusion.criterion_set_a_priori and exclusion.decided_by == "tester"
    animals = {a.label: a for a in list_animals(workspace, study)}
    assert set(animals) == {"F001", "M001"}
    assert animals["M001"].excluded and animals["M001"].exclusion_reason == "fight wound"
    with pytest.raises(NotFoundError, match="'ZZZ'"):
        exclude_animal(workspace, study, "ZZZ", "x", criterion_set_a_priori=False)
    with pytest.raises(InvalidInputError, match="reason"):
        exclude_animal(workspace, study, "F001", "   ", criterion_set_a_priori=False)
