"""The forced-swim day sheet: valid rows come back resolved; every fault is listed with row and field."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cohorts.blind_codes import generate_codes
from cohorts.fst_sheet import FstSheetError, read_fst_sheet

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _sheet(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_resolve_videos_beside_the_sheet(tmp_path: Path) -> None:
    (tmp_path / "day1.mp4").write_bytes(b"not decoded here")
    code_a, code_b = generate_codes(2)
    sheet = _sheet(
        tmp_path / "fst.csv",
        [
            "code,video,roi,tank,tested_at,water_temp_c,water_depth_cm",
            f"{code_a.lower()},day1.mp4,tank1,A,2026-06-01T09:00+00:00,24.5,15",
            f"{code_b},day1.mp4,tank2,B,2026-06-01 09:00,,",
        ],
    )
    first, second = read_fst_sheet(sheet, known_codes={code_a, code_b}, now=NOW)
    assert (first.code, first.video, first.roi, first.water_temp_c) == (
        code_a,
        (tmp_path / "day1.mp4").resolve(),
        "tank1",
        24.5,
    )
    assert second.water_temp_c is None and second.tested_at.tzinfo is not None


def test_every_fault_is_listed(tmp_path: Path) -> None:
    (code,) = generate_codes(1)
    sheet = _sheet(
        tmp_path / "fst.csv",
        [
            "code,video,tested_at,water_temp_c",
            "ZZZZZZ,missing.mp4,2027-01-01T09:00+00:00,80",
            f"{code},,yesterday,24",
        ],
    )
    with pytest.raises(FstSheetError) as caught:
        read_fst_sheet(sheet, known_codes={code}, now=NOW)
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {
        (2, "code"),
        (2, "video"),
        (2, "tested_at"),
        (2, "water_temp_c"),
        (3, "video"),
        (3, "tested_at"),
    }


def test_a_row_may_name_the_animal_by_lab_id(tmp_path: Path) -> None:
    (tmp_path / "day1.mp4").write_bytes(b"not decoded here")
    code_a, code_b = generate_codes(2)
    lab_ids = {"M001": code_a, "M002": code_b}
    sheet = _sheet(
        tmp_path / "fst.csv",
        [
            "code,video,tested_at",
            "m001,day1.mp4,2026-06-01T09:00+00:00",
            f"{code_b},day1.mp4,2026-06-01T09:10+00:00",
            f"{code_a},day1.mp4,2026-06-01T09:20+00:00",
            "M999,day1.mp4,2026-06-01T09:30+00:00",
        ],
    )
    with pytest.raises(FstSheetError) as caught:
        read_fst_sheet(sheet, known_codes={code_a, code_b}, now=NOW, codes_by_lab_id=lab_ids)
    repeated, unknown = caught.value.problems
    assert (repeated.row, repeated.field, "already on row 2" in repeated.issue) == (4, "code", True)
    assert (unknown.row, unknown.issue) == (5, "is neither a lab ID of the study nor a blind code")
    sheet.write_text("\n".join(sheet.read_text().splitlines()[:3]) + "\n")
    first, second = read_fst_sheet(sheet, known_codes={code_a, code_b}, now=NOW, codes_by_lab_id=lab_ids)
    assert (first.code, second.code) == (code_a, code_b)


@pytest.mark.parametrize("cell", ["soon", "-2", "nan", "inf"])
def test_a_test_start_is_seconds_of_video_time_or_empty(tmp_path: Path, cell: str) -> None:
    (tmp_path / "day1.mp4").write_bytes(b"not decoded here")
    code_a, code_b = generate_codes(2)
    header = "code,video,roi,tested_at,start_s"
    rows = [f"{code_a},day1.mp4,tank1,2026-06-01 09:00,12.5", f"{code_b},day1.mp4,tank2,2026-06-01 09:00,"]
    good = read_fst_sheet(
        _sheet(tmp_path / "good.csv", [header, *rows]), known_codes={code_a, code_b}, now=NOW
    )
    assert [row.start_s for row in good] == [12.5, None]
    bad = _sheet(tmp_path / "bad.csv", [header, f"{code_a},day1.mp4,tank1,2026-06-01 09:00,{cell}"])
    with pytest.raises(FstSheetError) as caught:
        read_fst_sheet(bad, known_codes={code_a}, now=NOW)
    (problem,) = caught.value.problems
    assert (problem.row, problem.field, problem.value) == (2, "start_s", cell)
    assert "seconds >= 0 of video time" in problem.accepted
    assert "bad.csv" in str(caught.value)
