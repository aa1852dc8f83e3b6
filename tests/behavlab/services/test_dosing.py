"""The coded dosing sheet and recorded injections: same mL/kg for every arm, refusals by code only."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from behavlab.errors import ConflictError, InvalidInputError
from behavlab.services import (
    Workspace,
    dosing_sheet,
    exclude_animal,
    list_events,
    record_dose,
    write_dosing_sheet,
)
from behavlab.services.dosing import RepeatDoseError
from behavlab.services.sheets import write_csv
from tests.behavlab.randomized_study import RandomizedStudy


def test_the_sheet_gives_each_animal_10_ml_per_kg_of_that_days_weight(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    assert len(sheet.lines) == 24 and not sheet.refused
    for line in sheet.lines:
        assert line.weight_g is not None and line.volume_ml is not None
        assert line.volume_ml == pytest.approx(line.weight_g / 1000 * 10)
    assert [line.cage for line in sheet.lines] == sorted(line.cage for line in sheet.lines)


def test_a_weight_from_another_day_is_refused_by_code(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    sheet = dosing_sheet(workspace, randomized.name)  # today; every weight is from yesterday
    assert len(sheet.refused) == 24
    line = sheet.refused[0]
    assert line.volume_ml is None and f"animal {line.code}" in (line.refusal or "")
    assert "weigh it again" in (line.refusal or "")


def test_written_sheets_carry_no_arm(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    csv_text = write_dosing_sheet(sheet, tmp_path / "day.csv").read_text()
    html_text = write_dosing_sheet(sheet, tmp_path / "day.html").read_text()
    assert csv_text.splitlines()[0] == "code,cage,weight_g,weighed_at,volume_ml,given,refused"
    for written in (csv_text, html_text):
        assert all(code in written for code in randomized.codes.values())
        assert "vehicle" not in written and "ketamine" not in written and "saline" not in written
    with pytest.raises(InvalidInputError, match=r"\.csv or \.html"):
        write_dosing_sheet(sheet, tmp_path / "day.pdf")


def test_a_dose_is_recorded_once_a_day_unless_a_reason_is_given(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(1)
    at = randomized.weighed_at + timedelta(hours=1)
    event = record_dose(workspace, randomized.name, code, at=at)
    assert event.volume_ml == pytest.approx(event.weight_g / 100)
    assert event.operator == "tester" and event.dosed_at == at
    with pytest.raises(ConflictError, match=f"animal {code} was already dosed"):
        record_dose(workspace, randomized.name, code, at=at + timedelta(minutes=5))
    again = record_dose(workspace, randomized.name, code, at=at + timedelta(minutes=6), again_reason="leak")
    assert again.repeat_reason == "leak"
    sheet = dosing_sheet(workspace, randomized.name, day=at.date())
    assert [line.dosed for line in sheet.lines if line.code == code] == [True]
    doses = [e for e in list_events(workspace, randomized.name) if e.action == "dose.record"]
    assert len(doses) == 2 and all("ketamine" not in e.payload for e in doses)


def test_volumes_over_the_limit_and_stale_weights_are_refused(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    at = randomized.weighed_at + timedelta(hours=2)
    with pytest.raises(InvalidInputError, match=f"animal {code}: .* above the limit of 10 mL/kg"):
        record_dose(workspace, randomized.name, code, at=at, volume_ml=5.0)
    with pytest.raises(InvalidInputError, match=f"animal {code}: weight from"):
        record_dose(workspace, randomized.name, code)  # now: the last weight is from yesterday


def test_excluded_animals_are_neither_listed_nor_dosed(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    exclude_animal(workspace, randomized.name, code, "tumour", criterion_set_a_priori=True)
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    assert code not in [line.code for line in sheet.lines]
    with pytest.raises(ConflictError, match="excluded"):
        record_dose(workspace, randomized.name, code, at=randomized.weighed_at + timedelta(hours=1))


def test_written_csv_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ["a", "b"], [["=cmd|' /C calc'!A0", "-2.5"], ["@SUM(1)", "+x"]])
    assert path.read_text().splitlines()[1:] == ["'=cmd|' /C calc'!A0,-2.5", "'@SUM(1),'+x"]


def test_a_dose_on_a_later_day_needs_a_reason_and_the_refusal_names_no_command_line_flag(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    first = randomized.weighed_at + timedelta(hours=1)
    record_dose(workspace, randomized.name, code, at=first)
    (line,) = [line for line in dosing_sheet(workspace, randomized.name).lines if line.code == code]
    assert line.last_dosed_at == first and not line.dosed  # today's sheet: dosed on an earlier day
    with pytest.raises(RepeatDoseError, match=f"animal {code} was already dosed on") as refused:
        record_dose(workspace, randomized.name, code, at=first + timedelta(hours=20))
    assert refused.value.earlier == first and "--" not in str(refused.value)


def test_the_printed_sheet_has_columns_to_fill_by_hand_and_fits_a_portrait_page(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    page = write_dosing_sheet(sheet, tmp_path / "day.html").read_text()
    headers = re.findall(r"<th>(.*?)</th>", page)
    for wanted in ("Ear tag", "Planned time", "Initials", "Actual volume (mL)", "Weight (g)"):
        assert wanted in headers
    assert not any("_" in header for header in headers)
    assert "@page{size:portrait" in page and "table-layout:fixed" in page
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", page)
    assert len(rows) == 24 and all(tag for _, tag in rows), "each code with its ear tag"
