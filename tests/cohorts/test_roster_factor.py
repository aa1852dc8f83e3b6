"""The roster columns a study adds: its non-randomized factor's level and the cohort, every fault listed."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cohorts.errors import CohortsError
from cohorts.roster import RosterEntry, RosterError, check_factor_name, read_roster, roster_sha256
from tests.cohorts.sheets import write_csv

TODAY = date(2025, 6, 1)
HEADER = ["animal_id", "sex", "strain", "dob", "cage", "stress", "cohort"]
ROWS = [
    ["M01", "M", "C57BL/6J", "2025-03-01", "C1", "CUS", "wave 1"],
    ["M02", "M", "C57BL/6J", "2025-03-01", "C1", "CUS", "Wave 2"],
    ["F01", "F", "C57BL/6J", "2025-03-02", "C2", "control", ""],
]
COHORTS = ("wave 1", "wave 2")


def read(path: Path, factor_name: str | None = "stress") -> tuple[RosterEntry, ...]:
    return read_roster(path, today=TODAY, factor_name=factor_name, cohorts=COHORTS)


def test_levels_and_cohorts_are_read_with_cohort_names_matched_in_any_case(tmp_path: Path) -> None:
    entries = read(write_csv(tmp_path / "r.csv", HEADER, ROWS))
    assert [(e.factor_level, e.cohort) for e in entries] == [
        ("CUS", "wave 1"),
        ("CUS", "wave 2"),
        ("control", None),
    ]


def test_every_fault_is_listed_with_row_field_and_what_is_accepted(tmp_path: Path) -> None:
    rows = [
        ["M01", "M", "C57BL/6J", "2025-03-01", "C1", "CUS", "wave 3"],
        ["M02", "M", "C57BL/6J", "2025-03-01", "C1", "cus", "wave 1"],
        ["F01", "F", "C57BL/6J", "2025-03-02", "C2", "", "wave 1"],
    ]
    with pytest.raises(RosterError) as refused:
        read(write_csv(tmp_path / "r.csv", HEADER, rows))
    shown = [str(problem) for problem in refused.value.problems]
    assert shown == [
        f"{tmp_path / 'r.csv'}, row 2, cohort: 'wave 3' is not a known value; accepted: one of the study's "
        "cohorts: wave 1, wave 2, any case",
        f"{tmp_path / 'r.csv'}, row 3, stress: 'cus' differs only in case from 'CUS' on row 2; accepted: one "
        "spelling per level throughout the file",
        f"{tmp_path / 'r.csv'}, row 4, stress: '' is empty; accepted: a value (this field is required)",
    ]


def test_a_study_with_a_factor_requires_its_column(tmp_path: Path) -> None:
    rows = [row[:5] for row in ROWS]
    with pytest.raises(
        RosterError, match=r"stress.*accepted: columns animal_id, sex, strain, dob, cage, stress"
    ):
        read(write_csv(tmp_path / "r.csv", HEADER[:5], rows))


def test_a_factor_column_the_study_does_not_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match=r"'stress' is not an accepted column"):
        read(write_csv(tmp_path / "r.csv", HEADER, ROWS), factor_name=None)


def test_a_cohort_when_the_study_has_none_is_refused_saying_so(tmp_path: Path) -> None:
    header = [*HEADER[:5], "cohort"]
    rows = [[*ROWS[0][:5], "wave 1"]]
    with pytest.raises(RosterError, match=r"accepted: one of the study's cohorts: \(none defined\)"):
        read_roster(write_csv(tmp_path / "r.csv", header, rows), today=TODAY)


def test_a_roster_without_the_new_columns_keeps_its_hash() -> None:
    entry = RosterEntry("M01", "M", "C57BL/6J", date(2025, 3, 1), "C1")
    assert roster_sha256([entry]) == "8082a023ce3e02fe0f80096e2bee0b5d91ff6089dfe482af707b4d51e7ee76d9"
    assert roster_sha256([entry]) != roster_sha256([replace(entry, factor_level="CUS")])
    assert roster_sha256([entry]) != roster_sha256([replace(entry, cohort="wave 1")])


@pytest.mark.parametrize("name", ["Stress", "sex", "cage", "cohort", "weight_g", "two words", "", "x" * 61])
def test_factor_names_that_cannot_head_their_own_column_are_refused(name: str) -> None:
    with pytest.raises(CohortsError, match="accepted: a lower-case name"):
        check_factor_name(name)
