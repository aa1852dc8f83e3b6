"""Sheets typed cell by cell: each cell is read by the rule its sheet file's column is read with."""

from pathlib import Path

import pytest

from cohorts.fst_sampling import (
    SCORED_BINS,
    TimeSamplingError,
    read_bin,
    read_time_sampling,
    time_sampling_from_codes,
)
from cohorts.spt import SptSheetError, check_bottle_cell, read_spt_sheet
from tests.cohorts.sheets import write_csv
from tests.cohorts.test_spt import HEADER as SPT_HEADER
from tests.cohorts.test_spt import A


def test_typed_codes_read_like_the_sheet_file(tmp_path: Path) -> None:
    codes = ["i", "S", "climbing", " Immobile "] * (SCORED_BINS // 4)
    typed = time_sampling_from_codes(codes)
    sheet = write_csv(tmp_path / "ts.csv", ("bin", "behavior"), list(enumerate(codes, start=1)))
    assert typed == read_time_sampling(sheet)
    assert typed.letters == "ISCI" * (SCORED_BINS // 4)
    assert typed.immobility_s == 24 * 5.0


def test_every_unknown_typed_code_is_named_by_its_bin() -> None:
    codes = ["I"] * SCORED_BINS
    codes[6], codes[40] = "x", "floating"
    with pytest.raises(TimeSamplingError) as caught:
        time_sampling_from_codes(codes)
    assert [problem.field for problem in caught.value.problems] == ["bin 7", "bin 41"]
    assert "bin 7: 'x' is not a known behavior; accepted: immobile, swimming or climbing" in str(caught.value)


def test_too_few_typed_bins_are_refused() -> None:
    with pytest.raises(TimeSamplingError, match="'47' were typed, not 48"):
        time_sampling_from_codes(["I"] * 47)


def test_one_typed_bin_is_checked_alone() -> None:
    assert read_bin(3, "c") == "climbing"
    with pytest.raises(TimeSamplingError, match="bin 12: '' is not a known behavior"):
        read_bin(12, "")


def test_a_typed_bottle_cell_is_checked_by_its_column() -> None:
    check_bottle_cell("sucrose_start_g", "250.25", A)
    check_bottle_cell("sucrose_side", "left", A)
    check_bottle_cell("water_end_g", "", A)  # whether the row needs it is the sheet's rule
    with pytest.raises(SptSheetError) as caught:
        check_bottle_cell("water_end_g", "249.255", A)
    assert str(caught.value) == (
        f"{A}, water_end_g: '249.255' is finer than 0.01 g; accepted: a number to the nearest 0.01 g"
    )
    with pytest.raises(SptSheetError, match="sucrose_side: 'up' is not a known value; accepted: L or R"):
        check_bottle_cell("sucrose_side", "up", A)
    with pytest.raises(SptSheetError, match="'12a' is not a number"):
        check_bottle_cell("sucrose_end_g", "12a", A)
    with pytest.raises(ValueError, match="'code' is not a typed column"):
        check_bottle_cell("code", A, A)


def test_a_sheet_weight_finer_than_the_balance_is_refused_and_the_sheet_named_as_asked(
    tmp_path: Path,
) -> None:
    sheet = write_csv(tmp_path / "b.csv", SPT_HEADER, [[A, "L", "250.123", "244", "250", "249"]])
    with pytest.raises(SptSheetError) as caught:
        read_spt_sheet(sheet, known_codes={A}, source="typed in behavlab.csv")
    assert str(caught.value).startswith("typed in behavlab.csv, row 2, sucrose_start_g: '250.123' is finer")
