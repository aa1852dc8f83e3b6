"""The coded dosing sheet and recorded injections: same mL/kg for every arm, refusals by code only."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import Weight
from behavlab.services import (
    StudySettings,
    Workspace,
    dosing_sheet,
    exclude_animal,
    list_events,
    list_voided,
    record_dose,
    void_record,
    write_dosing_sheet,
)
from behavlab.services.animals import record_weight
from behavlab.services.display import dosing_cells
from behavlab.services.dosing import RepeatDoseError
from behavlab.services.lookup import find_animal_by_typed_code, find_study
from behavlab.services.sheets import write_csv
from cohorts.syringe import Syringe
from tests.behavlab.randomized_study import RandomizedStudy, randomize_study


def test_the_sheet_gives_each_animal_10_ml_per_kg_of_that_days_weight_to_the_syringes_mark(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    assert len(sheet.lines) == 24 and not sheet.refused
    for line in sheet.lines:
        assert line.weight_g is not None and line.volume_ml is not None
        assert line.volume_ml == Syringe().to_draw_ml(line.weight_g / 1000 * 10)
        assert dosing_cells(line).volume_ml == f"{line.volume_ml:.2f}"
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
    assert event.volume_ml == Syringe().to_draw_ml(event.weight_g / 100)
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
        record_dose(workspace, randomized.name, code)  # now: always a later day than yesterday's dose
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


def test_a_volume_rounded_to_the_syringes_mark_is_given_and_its_deviation_stored(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    """Defect 2: 0.25 mL at 24.9 g was refused as above 10 mL/kg; 0.24 mL (-3.6 %) passed silently."""
    first, second = randomized.code_in_arm(0), randomized.code_in_arm(1)
    weighed = randomized.weighed_at + timedelta(minutes=30)
    for code in (first, second):
        record_weight(workspace, randomized.name, code, 24.9, measured_at=weighed)
    at = randomized.weighed_at + timedelta(hours=1)
    rounded_up = record_dose(workspace, randomized.name, first, at=at, volume_ml=0.25)
    short = record_dose(workspace, randomized.name, second, at=at, volume_ml=0.24)
    assert (rounded_up.weight_g, rounded_up.volume_ml_per_kg) == (24.9, 10.0)
    assert rounded_up.given_ml_per_kg == pytest.approx(10.0402, abs=1e-4)
    assert rounded_up.deviation_pct == pytest.approx(0.4, abs=0.01)
    assert short.deviation_pct == pytest.approx(-3.61, abs=0.01)
    (event,) = [e for e in list_events(workspace, randomized.name) if e.entity_id == second]
    assert '"deviation_pct":-3.61' in event.payload and "mg" not in event.payload


def test_a_volume_outside_the_tolerance_is_refused_naming_code_computed_volume_and_tolerance(
    workspace: Workspace, tmp_path: Path
) -> None:
    study = randomize_study(
        workspace, tmp_path, settings=StudySettings(name="tight", volume_tolerance_pct=2.0)
    )
    code = study.code_in_arm(0)
    record_weight(workspace, study.name, code, 24.9, measured_at=study.weighed_at + timedelta(minutes=30))
    at = study.weighed_at + timedelta(hours=1)
    with pytest.raises(
        InvalidInputError, match=rf"animal {code}: 0.24 mL .* computed 0.249 mL.* tolerance of 2 %"
    ):
        record_dose(workspace, study.name, code, at=at, volume_ml=0.24)
    assert record_dose(workspace, study.name, code, at=at, volume_ml=0.25).deviation_pct == pytest.approx(
        0.4, abs=0.01
    )


def test_a_voided_dose_is_kept_audited_and_no_longer_counts(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    at = randomized.weighed_at + timedelta(hours=1)
    wrong = record_dose(workspace, randomized.name, code, at=at)
    voided = void_record(workspace, randomized.name, "dose", wrong.id or 0, "given to the wrong cage's mouse")
    assert (voided.code, voided.voided_by) == (code, "tester")
    (line,) = [
        line for line in dosing_sheet(workspace, randomized.name, day=at.date()).lines if line.code == code
    ]
    assert not line.dosed and line.last_dosed_at is None
    again = record_dose(workspace, randomized.name, code, at=at + timedelta(minutes=10))  # no reason needed
    assert again.repeat_reason is None
    (kept,) = list_voided(workspace, randomized.name)
    assert (kept.entity, kept.record_id, kept.reason) == ("dose", wrong.id, "given to the wrong cage's mouse")
    assert [e.action for e in list_events(workspace, randomized.name)].count("record.void") == 1
    with pytest.raises(ConflictError, match="already void"):
        void_record(workspace, randomized.name, "dose", wrong.id or 0, "twice")


def test_a_voided_weight_is_not_the_dosing_weight(workspace: Workspace, randomized: RandomizedStudy) -> None:
    code = randomized.code_in_arm(1)
    typo = record_weight(
        workspace, randomized.name, code, 52.4, measured_at=randomized.weighed_at + timedelta(minutes=5)
    )
    assert typo.n_weights == 1
    (weight_id,) = _latest_weight_ids(workspace, randomized.name, code)
    void_record(workspace, randomized.name, "weight", weight_id, "typed 52.4 for 25.4")
    dose = record_dose(workspace, randomized.name, code, at=randomized.weighed_at + timedelta(hours=1))
    assert dose.weight_g != 52.4 and dose.weight_id != weight_id


@pytest.mark.parametrize(
    ("entity", "record_id", "reason", "error", "message"),
    [
        ("cage", 1, "x", InvalidInputError, "accepted: weight, dose, session, score, bottle-sheet"),
        ("dose", 999, "x", NotFoundError, "has no dose 999"),
        ("weight", 1, "  ", InvalidInputError, "needs its reason"),
    ],
)
def test_a_void_names_what_it_cannot_do(
    workspace: Workspace,
    randomized: RandomizedStudy,
    entity: str,
    record_id: int,
    reason: str,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        void_record(workspace, randomized.name, entity, record_id, reason)


def _latest_weight_ids(workspace: Workspace, study: str, code: str) -> list[int]:
    with reading(workspace.engine) as session:
        animal, _ = find_animal_by_typed_code(session, find_study(session, study), code)
        query = select(Weight.id).where(Weight.animal_id == animal.id).order_by(col(Weight.id).desc())
        return [weight_id for weight_id in session.exec(query).all()[:1] if weight_id is not None]
