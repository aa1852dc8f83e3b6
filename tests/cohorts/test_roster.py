"""Roster import: valid files in every accepted form, every fault listed, the content hash."""

import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cohorts.roster import RosterEntry, RosterError, read_roster, roster_sha256
from tests.cohorts.sheets import write_csv, write_xlsx

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))
HEADER = ["animal_id", "sex", "strain", "dob", "cage", "ear_tag", "weight_g", "source", "notes"]
ROWS = [
    ["M01", "M", "C57BL/6J", "2025-03-01", "C1", "L", "24.5", "JAX", ""],
    ["M02", "M", "C57BL/6J", "2025-03-01", "C1", "R", "25", "JAX", "small scar"],
    ["F01", "F", "C57BL/6J", "2025-03-02", "C2", "", "19.7", "JAX", ""],
]
EXPECTED = (
    RosterEntry("M01", "M", "C57BL/6J", date(2025, 3, 1), "C1", "L", 24.5, "JAX", None),
    RosterEntry("M02", "M", "C57BL/6J", date(2025, 3, 1), "C1", "R", 25.0, "JAX", "small scar"),
    RosterEntry("F01", "F", "C57BL/6J", date(2025, 3, 2), "C2", None, 19.7, "JAX", None),
)


def typed_rows() -> list[list[object]]:
    """The rows as a spreadsheet holds them: dates as dates, weights as numbers."""
    return [
        [*row[:3], datetime.fromisoformat(row[3]), row[4], row[5] or None, float(row[6]), *row[7:]]
        for row in ROWS
    ]


def test_csv_roster_is_read_into_entries(tmp_path: Path) -> None:
    assert read_roster(write_csv(tmp_path / "r.csv", HEADER, ROWS), today=TODAY) == EXPECTED


def test_xlsx_with_typed_cells_reads_like_the_csv(tmp_path: Path) -> None:
    assert read_roster(write_xlsx(tmp_path / "r.xlsx", HEADER, typed_rows()), today=TODAY) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_header_case_spacing_bom_and_delimiter_are_tolerated(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    header = [" Animal ID", "SEX ", "Strain", "DoB", "cage", "Ear-Tag", "Weight_G", "source", "Notes"]
    path = write_csv(tmp_path / "r.csv", header, ROWS, encoding=encoding, delimiter=delimiter)
    assert read_roster(path, today=TODAY) == EXPECTED


def test_optional_columns_may_be_absent_and_sex_words_accepted(tmp_path: Path) -> None:
    rows = [["X1", "female", "BALB/c", "2025-01-10", "K9"], ["X2", "Male", "BALB/c", "2025-01-10", "K8"]]
    entries = read_roster(write_csv(tmp_path / "r.csv", HEADER[:5], rows), today=TODAY)
    assert [(entry.sex, entry.weight_g, entry.ear_tag) for entry in entries] == [
        ("F", None, None),
        ("M", None, None),
    ]


def test_blank_rows_are_skipped_and_rows_numbered_as_in_a_spreadsheet(tmp_path: Path) -> None:
    rows = [
        ROWS[0],
        ["", "", "", "", "", "", "", "", ""],
        [*ROWS[1][:8], "two\nlines"],
        ["F01", "Q", *ROWS[2][2:]],
    ]
    with pytest.raises(RosterError) as caught:
        read_roster(write_csv(tmp_path / "r.csv", HEADER, rows), today=TODAY)
    assert [(problem.row, problem.field) for problem in caught.value.problems] == [(5, "sex")]


def dozen_fault_rows() -> tuple[list[str], list[list[object]], set[tuple[int | None, str | None, str]]]:
    """A roster with thirteen different faults, and (row, field, issue fragment) for each."""
    header = [*HEADER, "colour"]
    rows: list[list[object]] = [
        ["A1", "M", "C57BL/6J", "2025-03-01", "C1", "", "25", "JAX", "", ""],  # valid
        ["A1", "M", "C57BL/6J", "2025-03-01", "C1", "", "25", "JAX", "", ""],  # duplicate ID
        ["a1", "X", "C57BL/6J", "2025-03-01", "C1", "", "25", "JAX", "", ""],  # duplicate (case), bad sex
        ["A3", "F", "C57BL/6J", "2025-13-01", "C2", "", "25", "JAX", "", ""],  # impossible date
        ["A4", "F", "C57BL/6J", "2026-01-01", "C2", "", "25", "JAX", "", ""],  # future date
        ["A5", "F", "C57BL/6J", "1990-01-01", "C2", "", "25", "JAX", "", ""],  # implausibly old
        ["A6", "F", "C57BL/6J", "2025-03-01", "C2", "", "250", "JAX", "", ""],  # weight out of range
        ["A7", "F", "C57BL/6J", "2025-03-01", "C2", "", "heavy", "JAX", "", ""],  # weight not a number
        ["A8", "F", "", "2025-03-01", "C2", "", "25", "JAX", "", ""],  # empty strain
        ["A9", "F", "C57BL/6J", "2025-03-01", "", "", "25", "JAX", "", ""],  # empty cage
        ["", "F", "C57BL/6J", "2025-03-01", "C3", "", "25", "JAX", "", ""],  # empty ID
        [
            "A11",
            "F",
            "C57BL/6J",
            "2025-03-01",
            "C3",
            "T" * 61,
            "25",
            "JAX",
            "n" * 2001,
            "",
        ],  # two long fields
        ["A12", "F", "C57BL/6J", "01/03/2025", "C3", "", "nan", "JAX", "", ""],  # non-ISO date, nan weight
    ]
    expected = {
        (1, None, "not an accepted column"),
        (3, "animal_id", "already the ID on row 2"),
        (4, "animal_id", "already the ID on row 2"),
        (4, "sex", "not a known value"),
        (5, "dob", "not a valid date"),
        (6, "dob", "in the future"),
        (7, "dob", "implausibly long ago"),
        (8, "weight_g", "outside the plausible range"),
        (9, "weight_g", "not a number"),
        (10, "strain", "is empty"),
        (11, "cage", "is empty"),
        (12, "animal_id", "is empty"),
        (13, "ear_tag", "61 characters long"),
        (13, "notes", "2001 characters long"),
        (14, "dob", "not a valid date"),
        (14, "weight_g", "not a number"),
    }
    return header, rows, expected


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_roster_with_a_dozen_faults_lists_every_one(tmp_path: Path, suffix: str) -> None:
    header, rows, expected = dozen_fault_rows()
    writer = write_csv if suffix == ".csv" else write_xlsx
    path = writer(tmp_path / f"faulty{suffix}", header, rows)
    with pytest.raises(RosterError) as caught:
        read_roster(path, today=TODAY)
    problems = caught.value.problems
    actual = [(problem.row, problem.field, problem.issue) for problem in problems]
    assert len(actual) == len(expected)
    for row, field, fragment in expected:
        assert any((r, f) == (row, field) and fragment in issue for r, f, issue in actual), (
            row,
            field,
            fragment,
        )
    lines = str(caught.value).splitlines()
    assert len(lines) == len(expected)
    assert all(line.startswith(str(path)) and "accepted:" in line for line in lines)
    assert "accepted: columns animal_id, sex, strain, dob, cage and optional ear_tag" in str(caught.value)


def test_missing_required_column_is_reported_once_not_per_row(tmp_path: Path) -> None:
    header = ["animal_id", "sex", "strain", "cage"]
    rows = [["A1", "M", "B6", "C1"], ["A2", "M", "B6", "C1"]]
    with pytest.raises(RosterError) as caught:
        read_roster(write_csv(tmp_path / "r.csv", header, rows), today=TODAY)
    assert [(p.row, p.field, p.issue) for p in caught.value.problems] == [
        (1, "dob", "is a required column that is missing")
    ]


def test_duplicate_header_and_extra_values_are_refused(tmp_path: Path) -> None:
    header = [*HEADER[:5], "Sex"]
    rows = [[*ROWS[0][:5], "M"], [*ROWS[1][:5], "M", "surplus"]]
    with pytest.raises(RosterError) as caught:
        read_roster(write_csv(tmp_path / "r.csv", header, rows), today=TODAY)
    issues = [(p.row, p.issue) for p in caught.value.problems]
    assert issues == [
        (1, "is a second column with this name"),
        (3, "has 7 values but the header has 6 columns"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        (
            "latin1.csv",
            "animal_id,sex,strain,dob,cage\nA1,M,Souris é,2025-01-01,C1\n".encode("latin-1"),
            "not UTF-8",
        ),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("fake.xlsx", b"animal_id,sex\nA1,M\n", "not an XLSX workbook"),
        ("empty.csv", b"", "is an empty file"),
        ("header_only.csv", b"animal_id,sex,strain,dob,cage\n", "has no data rows"),
        ("roster.txt", b"animal_id,sex\n", "not a supported file type"),
        ("roster.xls", b"\xd0\xcf\x11\xe0", "not a supported file type"),
    ],
)
def test_unreadable_files_give_one_clear_problem(
    tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError) as caught:
        read_roster(path, today=TODAY)
    assert len(caught.value.problems) == 1
    assert fragment in str(caught.value)


def test_damaged_xlsx_and_missing_file_are_reported(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", HEADER, typed_rows())
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    for path, fragment in [(damaged, "XLSX workbook"), (tmp_path / "absent.csv", "cannot be read")]:
        with pytest.raises(RosterError, match=fragment):
            read_roster(path, today=TODAY)


def test_hash_ignores_row_order_and_file_format(tmp_path: Path) -> None:
    from_csv = read_roster(write_csv(tmp_path / "r.csv", HEADER, ROWS), today=TODAY)
    shuffled = ROWS[:]
    random.Random(3).shuffle(shuffled)
    from_shuffled = read_roster(write_csv(tmp_path / "s.csv", HEADER, shuffled), today=TODAY)
    from_xlsx = read_roster(write_xlsx(tmp_path / "r.xlsx", HEADER, typed_rows()), today=TODAY)
    digest = roster_sha256(from_csv)
    assert len(digest) == 64
    assert roster_sha256(from_shuffled) == digest
    assert roster_sha256(from_xlsx) == digest


def test_hash_changes_with_any_field(tmp_path: Path) -> None:
    entries = read_roster(write_csv(tmp_path / "r.csv", HEADER, ROWS), today=TODAY)
    changed = (entries[0], entries[1], RosterEntry(**{**vars(entries[2]), "weight_g": 19.8}))
    assert roster_sha256(changed) != roster_sha256(entries)


def test_weighed_at_gives_each_roster_weight_its_time(tmp_path: Path) -> None:
    header = [*HEADER, "weighed_at"]
    rows = [[*ROWS[0], "2025-05-30 09:15"], [*ROWS[1], "2025-05-30T09:20:00+00:00"], [*ROWS[2], ""]]
    entries = read_roster(write_csv(tmp_path / "r.csv", header, rows), today=TODAY, now=NOW, assume_tz=CET)
    assert [entry.weighed_at for entry in entries] == [
        datetime(2025, 5, 30, 9, 15, tzinfo=CET),
        datetime(2025, 5, 30, 9, 20, tzinfo=UTC),
        None,
    ]
    untimed = read_roster(write_csv(tmp_path / "u.csv", HEADER, ROWS), today=TODAY)
    assert roster_sha256(entries) != roster_sha256(untimed)
    assert roster_sha256((*untimed[:2], entries[2])) == roster_sha256(untimed)


def test_a_weighed_at_without_a_weight_or_in_the_future_is_refused(tmp_path: Path) -> None:
    header = [*HEADER, "weighed_at"]
    rows = [[*ROWS[0][:6], "", *ROWS[0][7:], "2025-05-30 09:15"], [*ROWS[1], "2025-06-03 09:00"]]
    with pytest.raises(RosterError) as caught:
        read_roster(write_csv(tmp_path / "r.csv", header, rows), today=TODAY, now=NOW, assume_tz=UTC)
    assert [(p.row, p.field, p.issue) for p in caught.value.problems] == [
        (2, "weighed_at", "is given without a weight_g"),
        (3, "weighed_at", "is in the future"),
    ]
