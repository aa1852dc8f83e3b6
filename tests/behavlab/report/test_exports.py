"""Spreadsheet-safe cells and the export tables, blind and unmasked."""

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest

from behavlab.report.exports import (
    animals_table,
    exclusions_table,
    safe_cell,
    statistics_table,
    tidy_table,
)
from behavlab.report.render import analyse
from cohorts.spreadsheet import spreadsheet_safe
from tests.behavlab.report import synthetic_report


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


def test_safe_cell_keeps_numbers_and_renders_the_rest_as_text() -> None:
    assert safe_cell(-2.5) == -2.5 and safe_cell(np.float64(-2.5)) == -2.5 and safe_cell(np.int64(3)) == 3
    assert safe_cell(None) == "" and safe_cell(float("nan")) == "" and safe_cell(np.nan) == ""
    assert safe_cell(True) == "true" and safe_cell(np.bool_(False)) == "false"
    assert safe_cell(date(2026, 3, 2)) == "2026-03-02"
    assert safe_cell(datetime(2026, 3, 2, 9, tzinfo=UTC)) == "2026-03-02T09:00:00+00:00"
    assert safe_cell("=1+2") == "'=1+2" and safe_cell("-x") == "'-x"


def test_tables_drop_arm_and_label_when_blind() -> None:
    blind, unmasked = synthetic_report(blinded=True), synthetic_report()
    assert "arm" not in tidy_table(blind).columns and "arm" in tidy_table(unmasked).columns
    assert {"arm", "label"}.isdisjoint(animals_table(blind).columns)
    assert {"arm", "label"} <= set(animals_table(unmasked).columns)
    assert "arm" not in exclusions_table(blind).columns
    tidy = tidy_table(unmasked)
    assert len(tidy) == 24 * 6 and tidy.loc[tidy["code"] == "QX23R", "excluded"].all()
    assert not tidy.loc[tidy["code"] == "QX00R", "excluded"].any()


def test_statistics_table_holds_every_reported_number() -> None:
    data = synthetic_report()
    analysis = analyse(data)
    table = statistics_table(data, analysis)
    motion = table.loc[(table["outcome"] == "fst_immobility_s") & (table["method"] == "motion")]
    assert set(motion["part"]) >= {
        "summary",
        "comparison",
        "normality (Shapiro-Wilk)",
        "two-way ANOVA arm x sex",
    }
    [value] = motion.loc[(motion["statistic"] == "n") & (motion["group"] == "ketamine"), "value"]
    assert value == 11
    mixed = table.loc[table["part"] == "mixed model"]
    assert set(mixed["period"]) == {"all periods"} and "arm[ketamine]:period[day 1]" in set(mixed["group"])
    blind = statistics_table(synthetic_report(blinded=True), None)
    assert set(blind["group"]) == {"all animals"} and set(blind["part"]) == {"summary"}
    assert not any(isinstance(v, float) and math.isinf(v) for v in table["value"])
