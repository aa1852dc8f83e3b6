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
    record_dose,
    record_weights,
)
from behavlab.services.animals import record_weight
from cohorts.roster import read_roster, roster_sha256
from tests.behavlab.factories import baseline_weights, roster_rows, write_csv, write_roster, write_weights
from tests.behavlab.randomized_study import RandomizedStudy
from tests.cohorts.sheets import write_csv as write_sheet_csv
from tests.cohorts.sheets import write_xlsx as write_sheet_xlsx
from tests.cohorts.test_roster import TODAY as ROSTER_TODAY
from tests.cohorts.test_roster import dozen_fault_rows


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
    assert (first.sex, first.cage, first.blind_code) == ("F", "F01", None)
    assert first.baseline_weight_g == baseline_weights(8)["F001"]
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
    baseline = baseline_weights(4)
    lost, kept = round(baseline["M001"] * 0.84, 1), round(baseline["M002"] * 0.86, 1)  # 16% and 14% loss
    summary = record_weights(
        workspace, study, write_weights(tmp_path / "w.csv", {"M001": lost, "m002": kept}), now=later
    )
    assert summary.n_weights == 2
    assert summary.flagged == ["M001"]
    by_label = {a.label: a for a in list_animals(workspace, study)}
    assert (by_label["M001"].baseline_weight_g, by_label["M001"].last_weight_g) == (baseline["M001"], lost)
    assert by_label["M001"].weight_loss_flag
    assert not by_label["M002"].weight_loss_flag
    assert by_label["M002"].last_weighed_at == later


def test_a_weight_for_an_unknown_animal_refuses_the_sheet(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 2))
    with pytest.raises(InvalidInputError, match="row 3, animal_id: 'GHOST' is not on the study's roster"):
        record_weights(workspace, study, write_weights(tmp_path / "w.csv", {"M001": 24.0, "GHOST": 22.0}))
    assert list_animals(workspace, study)[1].last_weight_g == baseline_weights(2)["M001"]


def test_one_weight_at_the_bench_joins_the_history_with_the_sheet_rules(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 2))
    lost = round(baseline_weights(2)["M001"] * 0.8, 1)
    assert record_weight(workspace, study, "m001", lost).flagged == ["M001"]
    assert record_weight(workspace, study, "F001", 20.5).flagged == []
    by_label = {a.label: a for a in list_animals(workspace, study)}
    assert (by_label["M001"].last_weight_g, by_label["M001"].weight_loss_flag) == (lost, True)
    assert by_label["F001"].last_weight_g == 20.5
    (event, _) = [e for e in list_events(workspace, study) if e.action == "weight.record"]
    assert event.entity_id == "M001"
    with pytest.raises(InvalidInputError, match="weight_g 400 for F001 not accepted; accepted: 10 to 60 g"):
        record_weight(workspace, study, "F001", 400)
    with pytest.raises(InvalidInputError, match="up to now"):
        record_weight(workspace, study, "F001", 20, datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(NotFoundError, match="'GHOST'"):
        record_weight(workspace, study, "GHOST", 20)
    assert by_label == {a.label: a for a in list_animals(workspace, study)}


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


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_roster_with_a_dozen_faults_changes_nothing_in_the_database(
    workspace: Workspace, study: str, tmp_path: Path, suffix: str
) -> None:
    header, rows, expected = dozen_fault_rows()
    writer = write_sheet_csv if suffix == ".csv" else write_sheet_xlsx
    path = writer(tmp_path / f"faulty{suffix}", header, rows)
    with pytest.raises(InvalidInputError) as caught:
        import_roster(workspace, study, path, today=ROSTER_TODAY)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"roster faulty{suffix} refused, nothing was recorded ({len(expected)} problems):"
    assert len(lines) == 1 + len(expected)
    assert list_animals(workspace, study) == []
    assert [e.action for e in list_events(workspace, study)] == ["study.create"]


def test_an_xlsx_roster_imports_like_its_csv(workspace: Workspace, study: str, tmp_path: Path) -> None:
    rows = roster_rows(4)
    header = list(rows[0])
    path = write_sheet_xlsx(tmp_path / "roster.xlsx", header, [list(row.values()) for row in rows])
    result = import_roster(workspace, study, path)
    assert result.roster_sha256 == roster_sha256(read_roster(write_roster(tmp_path / "same.csv", 4)))
    assert [a.label for a in list_animals(workspace, study)] == ["F001", "F002", "M001", "M002"]


def test_roster_weights_keep_the_time_they_were_weighed_not_the_import_time(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    weighed = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    rows = [row | {"weighed_at": weighed.isoformat()} for row in roster_rows(2)]
    result = import_roster(workspace, study, write_csv(tmp_path / "timed.csv", rows))
    assert result.default_weighed_at is None
    assert {a.last_weighed_at for a in list_animals(workspace, study)} == {weighed}
    create_study(workspace, StudySettings(name="given"))
    given = import_roster(workspace, "given", write_roster(tmp_path / "r.csv", 2), weighed_at=weighed)
    assert given.default_weighed_at is None
    assert {a.last_weighed_at for a in list_animals(workspace, "given")} == {weighed}
    create_study(workspace, StudySettings(name="untimed"))
    before = datetime.now(UTC)
    untimed = import_roster(workspace, "untimed", write_roster(tmp_path / "u.csv", 2))
    assert untimed.default_weighed_at is not None and untimed.default_weighed_at >= before
    assert {a.last_weighed_at for a in list_animals(workspace, "untimed")} == {untimed.default_weighed_at}


def test_a_weight_sheet_dated_before_the_latest_weight_is_refused_unless_a_back_entry(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    import_roster(workspace, study, write_roster(tmp_path / "roster.csv", 2))
    imported = list_animals(workspace, study)[1].last_weighed_at
    assert imported is not None
    earlier = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    sheet = write_weights(tmp_path / "w.csv", {"M001": 20.0}, earlier)
    with pytest.raises(ConflictError) as caught:
        record_weights(workspace, study, sheet)
    message = str(caught.value)
    for expected in ("M001", earlier.astimezone().strftime("%Y-%m-%d %H:%M"), "back-entry"):
        assert expected in message
    assert imported.astimezone().strftime("%Y-%m-%d %H:%M") in message
    assert list_animals(workspace, study)[1].last_weight_g == baseline_weights(2)["M001"]
    assert record_weights(workspace, study, sheet, back_entry=True).n_weights == 1
    m001 = list_animals(workspace, study)[1]
    assert (m001.baseline_weight_g, m001.last_weight_g) == (20.0, baseline_weights(2)["M001"])
    assert m001.last_weighed_at == imported


def test_weights_take_a_lab_id_or_a_code_and_a_dose_says_it_expects_a_code(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.codes["M001"]
    sheet = write_weights(tmp_path / "w.csv", {code.lower(): 24.0, "F001": 20.0})
    assert record_weights(workspace, randomized.name, sheet).n_weights == 2
    by_label = {a.label: a for a in list_animals(workspace, randomized.name)}
    assert (by_label["M001"].last_weight_g, by_label["F001"].last_weight_g) == (24.0, 20.0)
    with pytest.raises(InvalidInputError, match="'M001' is an animal ID, not a blind code; expected"):
        record_dose(workspace, randomized.name, "M001")
