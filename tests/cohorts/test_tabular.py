"""Sheet reading and cell parsing shared by every cohorts reader."""

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cohorts.problems import InputError, Problem
from cohorts.tabular import Columns, Row, RowReader, normalize_header, read_table
from tests.cohorts.sheets import write_csv, write_xlsx

COLUMNS = Columns(required=("animal_id",), optional=("weight_g", "measured_at"))


def reader_for(**cells: str) -> tuple[RowReader, list[Problem]]:
    """A reader over one row (row 7 of ``s.csv``) with the given cells."""
    problems: list[Problem] = []
    return RowReader("s.csv", Row(7, cells), problems), problems


@pytest.mark.parametrize(
    ("raw", "normalized"), [(" Animal ID ", "animal_id"), ("Ear-Tag", "ear_tag"), ("DOB", "dob")]
)
def test_headers_are_normalized(raw: str, normalized: str) -> None:
    assert normalize_header(raw) == normalized


def test_xlsx_numbers_and_dates_read_as_typed_text(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "s.xlsx",
        ["animal_id", "weight_g", "measured_at", ""],
        [[101, 25.0, datetime(2025, 6, 2, 9, 30), None], [102, 24.25, datetime(2025, 6, 2), None]],
    )
    table = read_table(path, COLUMNS)
    assert table.problems == ()
    assert [dict(row.cells) for row in table.rows] == [
        {"animal_id": "101", "weight_g": "25", "measured_at": "2025-06-02T09:30:00"},
        {"animal_id": "102", "weight_g": "24.25", "measured_at": "2025-06-02"},
    ]


def test_an_unlabelled_column_with_values_is_refused(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "s.csv", ["animal_id", ""], [["A1", "stray"]]), COLUMNS)
    assert [(p.row, p.issue) for p in table.problems] == [(1, "is an empty header above a column of values")]


def test_numbers_accept_a_decimal_comma_and_refuse_non_finite_text() -> None:
    reader, problems = reader_for(w="24,5", x="inf", y="1e3", z="")
    assert reader.number("w", 10, 60, "g") == 24.5
    assert reader.number("x", 10, 60, "g") is None
    assert reader.number("y", 10, 60, "g") is None
    assert reader.number("z", 10, 60, "g", required=False) is None
    assert reader.number("absent", 10, 60, "g") is None
    assert [(p.field, p.issue) for p in problems] == [("x", "is not a number"), ("y", "is not a number")]


def test_dates_must_be_plain_iso() -> None:
    reader, problems = reader_for(a="2025-02-28", b="2025-02-29", c="20250228", d="2025-W09-5")
    bounds = {"earliest": date(2020, 1, 1), "latest": date(2025, 6, 1)}
    assert reader.iso_date("a", **bounds) == date(2025, 2, 28)
    assert [reader.iso_date(field, **bounds) for field in "bcd"] == [None, None, None]
    assert {p.issue for p in problems} == {"is not a valid date"}


def test_datetimes_become_aware() -> None:
    cet = timezone(timedelta(hours=1))
    reader, problems = reader_for(
        a="2025-06-01T08:00Z", b="2025-06-01 08:00", c="2025-06-01T08:00+02:00", d="8am"
    )
    latest = datetime(2025, 6, 2, tzinfo=UTC)
    assert reader.iso_datetime("a", latest, cet) == datetime(2025, 6, 1, 8, tzinfo=UTC)
    assert reader.iso_datetime("b", latest, cet) == datetime(2025, 6, 1, 8, tzinfo=cet)
    assert reader.iso_datetime("c", latest, cet) == datetime(2025, 6, 1, 6, tzinfo=UTC)
    assert reader.iso_datetime("b", latest, None).tzinfo is not None  # type: ignore[union-attr]
    assert reader.iso_datetime("d", latest, cet) is None
    assert [p.field for p in problems] == ["d"]


def test_problem_text_and_input_error() -> None:
    problem = Problem("s.csv", 3, "notes", "x" * 100, "is 100 characters long", "at most 50 characters")
    assert (
        str(problem)
        == f"s.csv, row 3, notes: '{'x' * 40}...' is 100 characters long; accepted: at most 50 characters"
    )
    file_level = Problem("s.csv", None, None, ".txt", "is not a supported file type", "a .csv")
    assert str(InputError([problem, file_level])).splitlines()[1] == (
        "s.csv: '.txt' is not a supported file type; accepted: a .csv"
    )
    with pytest.raises(ValueError, match="at least one problem"):
        InputError([])
