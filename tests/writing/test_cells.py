"""Spreadsheet-safe cells: formulas defused, numbers kept as numbers."""

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from writing.cells import spreadsheet_safe, typed_cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1+1", "'+1+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "-3.5"),
        ("+1e3", "+1e3"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_defuses_formulas_but_not_numbers(text: str, expected: str) -> None:
    assert spreadsheet_safe(text) == expected


def test_a_typed_cell_keeps_numbers_and_renders_the_rest_as_text() -> None:
    assert typed_cell(-2.5) == -2.5 and typed_cell(np.float64(-2.5)) == -2.5 and typed_cell(np.int64(3)) == 3
    assert typed_cell(None) == "" and typed_cell(float("nan")) == "" and typed_cell(np.nan) == ""
    assert typed_cell(True) == "true" and typed_cell(np.bool_(False)) == "false"
    assert typed_cell(date(2026, 3, 2)) == "2026-03-02"
    assert typed_cell(datetime(2026, 3, 2, 9, tzinfo=UTC)) == "2026-03-02T09:00:00+00:00"
    assert typed_cell("=1+2") == "'=1+2" and typed_cell("-x") == "'-x"
    assert typed_cell(pd.NaT) == "" and typed_cell(pd.NA) == ""
