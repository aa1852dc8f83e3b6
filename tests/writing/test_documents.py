"""Text, JSON, tables and spreadsheet sheets written whole, in the form every reader accepts."""

import csv
import errno
import json
import math
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from writing.atomic import PRIVATE_FILE_MODE, WriteError
from writing.documents import jsonable, write_json, write_sheet, write_table, write_text


def refuse_constants(name: str) -> object:
    """A JSON reader stricter than Python's: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")


def mode_of(path: Path) -> int:
    """The permission bits of a file."""
    return stat.S_IMODE(path.stat().st_mode)


def test_text_is_written_as_utf8_with_its_newlines_exactly_as_given(tmp_path: Path) -> None:
    text = "Größe\r\nline two\nline three\r"
    written = write_text(tmp_path / "notes.txt", text)
    assert written == tmp_path / "notes.txt"
    assert written.read_bytes() == text.encode("utf-8")


def test_text_gets_the_mode_asked_for(tmp_path: Path) -> None:
    written = write_text(tmp_path / "key.txt", "secret\n", mode=PRIVATE_FILE_MODE)
    assert mode_of(written) == PRIVATE_FILE_MODE


def test_a_json_document_holds_null_for_nan_and_plain_values_for_numpy_tuples_and_paths(
    tmp_path: Path,
) -> None:
    document = {
        "mean": np.float64(2.5),
        "n": np.int64(12),
        "missing": math.nan,
        "unbounded": -math.inf,
        "values": np.array([1.0, np.nan, 3.0]),
        "pair": (1, "a"),
        "video": Path("videos") / "a.mp4",
        "nested": {1: np.bool_(True)},
    }
    written = write_json(tmp_path / "result.json", document)
    text = written.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert json.loads(text, parse_constant=refuse_constants) == {
        "mean": 2.5,
        "n": 12,
        "missing": None,
        "unbounded": None,
        "values": [1.0, None, 3.0],
        "pair": [1, "a"],
        "video": str(Path("videos") / "a.mp4"),
        "nested": {"1": True},
    }


def test_jsonable_leaves_text_and_plain_values_alone() -> None:
    assert jsonable({"name": "FST", "count": 3, "flag": None}) == {"name": "FST", "count": 3, "flag": None}


def test_a_table_is_written_as_csv_without_its_index(tmp_path: Path) -> None:
    table = pd.DataFrame({"code": ["K7M2QX", "P3R8TW"], "immobile_s": [101.5, math.nan]}, index=[7, 9])
    written = write_table(tmp_path / "scores.csv", table)
    assert written.read_text(encoding="utf-8").splitlines() == ["code,immobile_s", "K7M2QX,101.5", "P3R8TW,"]


def read_sheet(path: Path) -> list[list[str]]:
    """The rows of a written sheet, as a spreadsheet would split them."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_sheet_defuses_formulas_keeps_numbers_and_puts_its_footer_after_an_empty_row(
    tmp_path: Path,
) -> None:
    written = write_sheet(
        tmp_path / "dosing.csv",
        ["code", "volume_ml", "note"],
        [["K7M2QX", 0.25, "=HYPERLINK(1)"], ["P3R8TW", -3.5, "+1+1"], ["@SUM(1)", np.float64(0.3), None]],
        footer=["Printed 2025-06-02", "-prepared by A"],
    )
    assert read_sheet(written) == [
        ["code", "volume_ml", "note"],
        ["K7M2QX", "0.25", "'=HYPERLINK(1)"],
        ["P3R8TW", "-3.5", "'+1+1"],
        ["'@SUM(1)", "0.3", ""],
        [],
        ["Printed 2025-06-02"],
        ["-prepared by A"],
    ]


def test_a_sheet_without_footer_ends_with_its_last_row(tmp_path: Path) -> None:
    written = write_sheet(tmp_path / "codes.csv", ["code"], [["K7M2QX"]])
    assert written.read_bytes() == b"code\r\nK7M2QX\r\n"


def test_a_sheet_gets_the_private_mode_when_asked(tmp_path: Path) -> None:
    written = write_sheet(
        tmp_path / "key.csv", ["code", "arm"], [["K7M2QX", "vehicle"]], mode=PRIVATE_FILE_MODE
    )
    assert mode_of(written) == PRIVATE_FILE_MODE


def test_text_that_cannot_be_encoded_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_text(target, "lone surrogate \ud800")
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_text(encoding="utf-8") == "previous"


def test_a_table_that_fails_to_write_is_one_write_error_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: pd.DataFrame, path: Path, index: bool) -> None:
        Path(path).write_text("half", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    with pytest.raises(WriteError, match=r"cannot write .*scores\.csv: No space left on device; free some"):
        write_table(tmp_path / "scores.csv", pd.DataFrame({"code": ["K7M2QX"]}))
    assert list(tmp_path.iterdir()) == []
