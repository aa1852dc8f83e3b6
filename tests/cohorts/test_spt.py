"""Sucrose preference arithmetic and bottle sheets."""

from pathlib import Path

import pytest

from cohorts.blind_codes import check_character
from cohorts.spt import (
    SptIntake,
    SptSheetError,
    bottle_intake_ml,
    is_anhedonic,
    preference_pct,
    read_spt_sheet,
    spt_result,
    unswitched_sides,
)
from tests.cohorts.sheets import write_csv, write_xlsx

HEADER = ["code", "sucrose_side", "sucrose_start_g", "sucrose_end_g", "water_start_g", "water_end_g"]


def code(data: str) -> str:
    """A valid blind code from five alphabet symbols."""
    return data + check_character(data)


A, B, C = code("AAAAA"), code("BBBBB"), code("CCCCC")


def test_intake_preference_and_flag() -> None:
    assert bottle_intake_ml(250.0, 244.5) == pytest.approx(5.5)
    assert preference_pct(6.0, 2.0) == pytest.approx(75.0)
    assert is_anhedonic(64.9) and not is_anhedonic(65.0)
    assert is_anhedonic(70.0, threshold_pct=75.0)
    with pytest.raises(ValueError, match="above the start weight"):
        bottle_intake_ml(250.0, 250.5)
    with pytest.raises(ValueError, match="total intake is 0 mL"):
        preference_pct(0.0, 0.0)


def test_result_per_gram_of_body_weight() -> None:
    result = spt_result(SptIntake(A, "L", 4.0, 1.0, 2), body_weight_g=25.0)
    assert result.preference_pct == pytest.approx(80.0)
    assert result.sucrose_ml_per_g == pytest.approx(0.16)
    assert result.total_ml_per_g == pytest.approx(0.2)
    assert not result.anhedonic
    unweighed = spt_result(SptIntake(A, "L", 1.0, 1.0, 2))
    assert (unweighed.sucrose_ml_per_g, unweighed.total_ml_per_g, unweighed.anhedonic) == (None, None, True)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_subtracts_the_mean_control_loss(tmp_path: Path, suffix: str) -> None:
    rows = [
        [A.lower(), "L", 250.0, 244.0, 251.0, 249.0],
        [B, "right", 240.0, 239.0, 250.0, 249.8],
        ["Control", "", 250.0, 249.8, 250.0, 249.9],
        ["CONTROL", "", 250.0, 249.6, 250.0, 249.7],
    ]
    writer = write_csv if suffix == ".csv" else write_xlsx
    sheet = read_spt_sheet(writer(tmp_path / f"spt{suffix}", HEADER, rows), known_codes={A, B})
    assert sheet.control_sucrose_loss_ml == pytest.approx(0.3)
    assert sheet.control_water_loss_ml == pytest.approx(0.2)
    first, second = sheet.intakes
    assert (first.code, first.sucrose_side, first.row) == (A, "L", 2)
    assert (first.sucrose_ml, first.water_ml) == (pytest.approx(5.7), pytest.approx(1.8))
    assert (second.code, second.sucrose_side) == (B, "R")
    assert (second.sucrose_ml, second.water_ml) == (pytest.approx(0.7), pytest.approx(0.0))
    assert spt_result(second).preference_pct == pytest.approx(100.0)


def test_every_fault_of_a_bottle_sheet_names_its_row(tmp_path: Path) -> None:
    typo = A[:2] + ("B" if A[2] != "B" else "C") + A[3:]
    rows = [
        [A, "L", "250", "251", "250", "249"],  # sucrose bottle gained weight
        [B, "L", "250", "250", "250", "250"],  # nothing drunk
        [typo, "R", "250", "249", "250", "249"],  # mistyped code
        [code("DDDDD"), "R", "250", "249", "250", "249"],  # not in the study
        [A, "R", "250", "249", "250", "249"],  # second row for A
        [C, "middle", "250", "249", "250", "abc"],  # bad side, bad weight
        ["control", "", "250", "249.9", "250", "250.1"],  # control water bottle gained weight
    ]
    path = write_csv(tmp_path / "spt.csv", HEADER, rows)
    with pytest.raises(SptSheetError) as caught:
        read_spt_sheet(path, known_codes={A, B, C})
    assert [(p.row, p.field, p.issue) for p in caught.value.problems] == [
        (2, "sucrose_end_g", "end weight 251 g is above the start weight 250 g"),
        (4, "code", "is not a valid blind code"),
        (5, "code", "is not a code of this study"),
        (6, "code", "is already on row 2"),
        (7, "sucrose_side", "is not a known value"),
        (7, "water_end_g", "is not a number"),
        (8, "water_end_g", "end weight 250.1 g is above the start weight 250 g"),
        (3, "code", "total intake is 0 mL after subtracting spillage; no preference can be computed"),
    ]
    assert all(line.startswith(f"{path}, row ") for line in str(caught.value).splitlines())


def test_unswitched_sides_are_reported() -> None:
    assert unswitched_sides({A: "L", B: "R"}, {A: "R", B: "R", C: "L"}) == (B,)
