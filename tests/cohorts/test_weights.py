"""Weight sheets and the welfare weight-loss rule."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cohorts.blind_codes import check_character
from cohorts.weights import (
    WeightEntry,
    WeightSheetError,
    flag_weight_history,
    read_weight_sheet,
    weight_loss_exceeds,
)
from tests.cohorts.sheets import write_csv, write_xlsx

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))


def test_sheet_with_times_gives_aware_entries_spelled_as_on_the_roster(tmp_path: Path) -> None:
    rows = [["m01", "24.1", "2025-06-02 09:30"], ["M01", "23.9", "2025-06-01T09:30:00Z"], ["F02", "19,5", ""]]
    path = write_csv(tmp_path / "w.csv", ["Animal_ID", "weight_g", "measured_at"], rows)
    entries = read_weight_sheet(path, known_ids=["M01", "F02"], now=NOW, assume_tz=CET)
    assert entries == (
        WeightEntry("M01", 24.1, datetime(2025, 6, 2, 9, 30, tzinfo=CET)),
        WeightEntry("M01", 23.9, datetime(2025, 6, 1, 9, 30, tzinfo=UTC)),
        WeightEntry("F02", 19.5, None),
    )


def test_xlsx_datetime_cells_are_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "w.xlsx", ["animal_id", "weight_g", "measured_at"], [["M01", 24, datetime(2025, 6, 2, 8)]]
    )
    assert read_weight_sheet(path, now=NOW, assume_tz=UTC) == (
        WeightEntry("M01", 24.0, datetime(2025, 6, 2, 8, tzinfo=UTC)),
    )


def test_every_fault_of_a_weight_sheet_is_listed(tmp_path: Path) -> None:
    rows = [
        ["M01", "24", ""],
        ["M01", "24.2", ""],  # same animal, no time twice
        ["GHOST", "20", ""],  # not on the roster
        ["F02", "5", "2025-06-01T08:00"],  # implausible weight
        ["F02", "20", "yesterday"],  # bad time
        ["F03", "20", "2025-07-01T08:00"],  # future
        ["", "20", ""],  # missing ID
    ]
    path = write_csv(tmp_path / "w.csv", ["animal_id", "weight_g", "measured_at"], rows)
    with pytest.raises(WeightSheetError) as caught:
        read_weight_sheet(path, known_ids=["M01", "F02", "F03"], now=NOW, assume_tz=UTC)
    assert [(p.row, p.field, p.issue) for p in caught.value.problems] == [
        (3, "animal_id", "is weighed again at the same time as on row 2"),
        (4, "animal_id", "is not on the study's roster"),
        (5, "weight_g", "is outside the plausible range"),
        (6, "measured_at", "is not a valid date-time"),
        (7, "measured_at", "is in the future"),
        (8, "animal_id", "is empty"),
    ]


def test_loss_of_exactly_15_percent_is_not_flagged_but_more_is() -> None:
    assert not weight_loss_exceeds(25.0, 21.25)
    assert weight_loss_exceeds(25.0, 21.2)
    assert not weight_loss_exceeds(25.0, 30.0)
    assert weight_loss_exceeds(25.0, 22.0, max_loss_fraction=0.1)


def test_history_is_flagged_against_the_first_weight() -> None:
    assert flag_weight_history([25.0, 23.0, 21.0, 22.0, 20.0]) == (False, False, True, False, True)
    assert flag_weight_history([]) == ()
    with pytest.raises(ValueError, match="baseline"):
        weight_loss_exceeds(0.0, 20.0)


def test_a_sheet_may_name_animals_by_blind_code(tmp_path: Path) -> None:
    code = "3M4VU" + check_character("3M4VU")
    other = "7K2PQ" + check_character("7K2PQ")
    rows = [[code.lower(), "24.1"], ["F02", "19.5"], [f"{code[:3]}-{code[3:]}", "24.2"], [other, "20"]]
    path = write_csv(tmp_path / "w.csv", ["animal_id", "weight_g"], rows)
    with pytest.raises(WeightSheetError) as caught:
        read_weight_sheet(path, known_ids=["M01", "F02"], now=NOW, blind_codes={code: "M01"})
    assert [(p.row, p.field, p.issue, p.accepted) for p in caught.value.problems] == [
        (
            4,
            "animal_id",
            "is weighed again at the same time as on row 2",
            "one weight per animal and measured_at",
        ),
        (5, "animal_id", "is not on the study's roster", "an animal_id of the roster or its blind code"),
    ]
    good = write_csv(tmp_path / "g.csv", ["animal_id", "weight_g"], rows[:2])
    assert read_weight_sheet(good, known_ids=["M01", "F02"], now=NOW, blind_codes={code: "M01"}) == (
        WeightEntry("M01", 24.1),
        WeightEntry("F02", 19.5),
    )
