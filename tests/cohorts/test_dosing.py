"""Dose arithmetic and the coded dose sheet: volumes, stale weights, volume limits, no arm anywhere."""

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cohorts.dosing import (
    DoseInput,
    DoseSheetRow,
    DosingError,
    check_dose_volume,
    dose_sheet_row,
    injection_volume_ml,
    stock_concentration_mg_per_ml,
)

LAB = timezone(timedelta(hours=2))
DOSING = datetime(2025, 6, 2, 10, 0, tzinfo=LAB)
MOUSE = DoseInput("K7M2QX", "C1", 25.0, datetime(2025, 6, 2, 8, 30, tzinfo=LAB))


def test_ten_mg_per_kg_at_ten_ml_per_kg_needs_one_mg_per_ml_and_a_quarter_ml_for_25_g() -> None:
    assert stock_concentration_mg_per_ml(10.0, 10.0) == pytest.approx(1.0)
    assert injection_volume_ml(25.0, 10.0) == pytest.approx(0.25)
    assert dose_sheet_row(MOUSE, DOSING) == DoseSheetRow("K7M2QX", "C1", 25.0, MOUSE.weighed_at, 0.25)


def test_existing_volume_checks_keep_their_behavior() -> None:
    with pytest.raises(ValueError, match="hard limit of 20"):
        injection_volume_ml(25.0, 21.0)
    with pytest.raises(ValueError, match="above 0 g"):
        injection_volume_ml(0.0, 10.0)


def test_a_weight_from_another_calendar_day_is_refused_by_code() -> None:
    yesterday = dataclasses.replace(MOUSE, weighed_at=datetime(2025, 6, 1, 23, 0, tzinfo=LAB))
    with pytest.raises(DosingError, match="animal K7M2QX: weight from 2025-06-01 is not from the dosing day"):
        dose_sheet_row(yesterday, DOSING)


def test_the_calendar_day_is_read_in_the_dosing_timezone() -> None:
    # 23:30 UTC on 1 June is 01:30 on 2 June in the lab: the same dosing day.
    late_utc = dataclasses.replace(MOUSE, weighed_at=datetime(2025, 6, 1, 23, 30, tzinfo=UTC))
    assert dose_sheet_row(late_utc, DOSING).volume_ml == pytest.approx(0.25)


def test_a_maximum_weight_age_can_replace_the_calendar_day_rule() -> None:
    yesterday = dataclasses.replace(MOUSE, weighed_at=DOSING - timedelta(hours=20))
    assert dose_sheet_row(yesterday, DOSING, max_weight_age=timedelta(hours=24)).weight_g == 25.0
    with pytest.raises(DosingError, match="older than the allowed 12:00:00"):
        dose_sheet_row(yesterday, DOSING, max_weight_age=timedelta(hours=12))


def test_missing_weight_and_naive_times_are_refused() -> None:
    with pytest.raises(DosingError, match="animal K7M2QX: no weight on record"):
        dose_sheet_row(dataclasses.replace(MOUSE, weight_g=None, weighed_at=None), DOSING)
    with pytest.raises(ValueError, match="timezone-aware"):
        dose_sheet_row(MOUSE, DOSING.replace(tzinfo=None))


def test_volume_above_the_limit_is_refused_and_the_hard_stop_holds() -> None:
    with pytest.raises(
        DosingError, match=r"animal K7M2QX: 0\.375 mL for 25 g is 15\.0 mL/kg, above the limit of 10 mL/kg"
    ):
        dose_sheet_row(MOUSE, DOSING, volume_ml_per_kg=15.0)
    assert dose_sheet_row(
        MOUSE, DOSING, volume_ml_per_kg=15.0, limit_ml_per_kg=20.0
    ).volume_ml == pytest.approx(0.375)
    with pytest.raises(ValueError, match="hard limit of 20"):
        dose_sheet_row(MOUSE, DOSING, volume_ml_per_kg=15.0, limit_ml_per_kg=25.0)
    check_dose_volume("K7M2QX", injection_volume_ml(23.3, 10.0), 23.3)
    with pytest.raises(DosingError, match=r"accepted: at most 0\.250 mL"):
        check_dose_volume("K7M2QX", 0.3, 25.0)


def test_rows_have_no_arm_field() -> None:
    fields = {field.name for field in dataclasses.fields(DoseSheetRow)} | {
        f.name for f in dataclasses.fields(DoseInput)
    }
    assert not {"arm", "arm_index", "group", "treatment"} & fields
