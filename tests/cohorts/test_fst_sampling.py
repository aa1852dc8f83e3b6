"""The 5-s time-sampling sheet: 48 bins back in order with their counts; every fault listed with its row."""

from pathlib import Path

import pytest

from cohorts.fst_sampling import SCORED_BINS, TimeSamplingError, read_time_sampling
from tests.cohorts.sheets import write_csv, write_xlsx

HEADER = ("bin", "behavior")


def _bins(pattern: str) -> list[tuple[int, str]]:
    return [(index, letter) for index, letter in enumerate(pattern, start=1)]


def test_a_full_sheet_reads_in_bin_order_whatever_the_row_order(tmp_path: Path) -> None:
    pattern = "S" * 10 + "C" * 6 + "I" * 32
    rows = list(reversed([(n, {"S": "swimming", "C": "Climbing", "I": "i"}[b]) for n, b in _bins(pattern)]))
    sampling = read_time_sampling(write_csv(tmp_path / "ts.csv", HEADER, rows))
    assert sampling.letters == pattern
    assert sampling.counts == {"immobile": 32, "swimming": 10, "climbing": 6}
    assert sampling.immobility_s == 160.0


def test_xlsx_with_numeric_bins_reads_like_csv(tmp_path: Path) -> None:
    rows = _bins("I" * SCORED_BINS)
    sampling = read_time_sampling(write_xlsx(tmp_path / "ts.xlsx", HEADER, rows))
    assert sampling.counts == {"immobile": 48, "swimming": 0, "climbing": 0}
    assert sampling.immobility_s == 240.0


def test_every_fault_is_listed_with_its_row(tmp_path: Path) -> None:
    rows: list[tuple[object, str]] = list(_bins("S" * 44))
    rows += [(3, "I"), (49, "S"), (2.5, "C"), (45, "floating")]
    with pytest.raises(TimeSamplingError) as caught:
        read_time_sampling(write_csv(tmp_path / "ts.csv", HEADER, rows))
    found = {(problem.row, problem.field) for problem in caught.value.problems}
    assert found == {(46, "bin"), (47, "bin"), (48, "bin"), (49, "behavior"), (None, "bin")}
    text = str(caught.value)
    assert "repeats bin 3 of row 4" in text
    assert "'46, 47, 48' are missing (3 of 48 bins)" in text
    assert "accepted: immobile, swimming or climbing (or I, S, C)" in text


def test_a_sheet_with_a_wrong_column_is_refused_naming_the_accepted_ones(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "ts.csv", ("bin", "state"), _bins("I" * SCORED_BINS))
    with pytest.raises(TimeSamplingError) as caught:
        read_time_sampling(sheet)
    assert {(p.row, p.field) for p in caught.value.problems} == {(1, None), (1, "behavior")}
    assert "columns bin, behavior" in str(caught.value)
