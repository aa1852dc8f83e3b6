"""Doses as given and voided records in the report: mL/kg and deviation for all, mg/kg only once unmasked."""

from dataclasses import replace
from datetime import timedelta

import pytest

from behavlab.report import DoseInfo, ReportData, VoidedInfo
from behavlab.report.group_results import analyse
from behavlab.report.markup import to_markdown
from behavlab.report.render import report_blocks
from tests.behavlab.report import T0, blind, synthetic_report
from tests.behavlab.report.test_report import table_row

#: (weight used g, volume given mL) of the first four animals: +0.4 %, -3.6 %, 0 %, +2.0 %.
GIVEN = ((24.9, 0.25), (24.9, 0.24), (20.0, 0.20), (24.5, 0.25))


def _dosed(data: ReportData) -> ReportData:
    doses = []
    for i, (animal, (weight, volume)) in enumerate(zip(data.animals, GIVEN, strict=False)):
        assert animal.code is not None
        computed = weight / 100.0
        doses.append(
            DoseInfo(
                animal.code,
                T0 + timedelta(minutes=i),
                weight,
                volume,
                10.0,
                volume / weight * 1000,
                (volume / computed - 1) * 100,
            )
        )
    voided = (VoidedInfo("weight", 7, data.animals[0].code, "typed 29.4 for 24.9", "tech", T0),)
    return replace(data, doses=tuple(doses), voided=voided)


def _section_9(data: ReportData) -> str:
    markdown = to_markdown(report_blocks(data, analyse(data), ()))
    return markdown.split("## 9.")[1].split("## 10.")[0]


def test_the_unmasked_report_gives_each_dose_in_mg_per_kg_and_a_summary_per_arm() -> None:
    data = _dosed(synthetic_report())
    arm_of = {animal.code: animal.arm for animal in data.animals}
    received = {dose.code: data.mg_per_kg_received(dose) for dose in data.doses}
    for dose in data.doses:
        expected = 0.0 if arm_of[dose.code] == "vehicle" else 10.0 * dose.given_ml_per_kg / 10.0
        assert received[dose.code] == pytest.approx(expected)
    item_9 = _section_9(data)
    assert "Doses off by more than 1 % of the computed volume (2)" in item_9
    assert table_row(item_9, "vehicle")[1:3] == ["2", "2"] and table_row(item_9, "vehicle")[3] == "0"
    assert table_row(item_9, "ketamine")[3:6] == ["9.921", "9.639", "10.2"]


def test_the_blind_report_gives_ml_per_kg_and_deviations_but_no_mg_per_kg_and_nothing_per_arm() -> None:
    data = blind(_dosed(synthetic_report()))
    assert all(data.mg_per_kg_received(dose) is None for dose in data.doses)
    item_9 = _section_9(data)
    first = data.doses[1]
    assert table_row(item_9, first.code) == [first.code, "0.24", "0.249", "-3.6"]
    assert "mg/kg" not in item_9 and "vehicle" not in item_9 and "ketamine" not in item_9
    assert "| syringe graduation (mL): volumes drawn to the nearest mark | 0.01 |" in item_9


def test_voided_records_are_listed_by_code_and_doses_must_name_the_roster() -> None:
    data = blind(_dosed(synthetic_report()))
    markdown = to_markdown(report_blocks(data, None, ()))
    voids = markdown.split("## Voided records")[1]
    assert table_row(voids, "weight")[1:4] == ["7", data.animals[0].code, "typed 29.4 for 24.9"]
    stray = replace(data.doses[0], code="NOPE1")
    with pytest.raises(ValueError, match="NOPE1"):
        replace(data, doses=(stray,))
