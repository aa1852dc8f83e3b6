"""Files are written whole (temporary name, then rename) and readable like any new file."""

import stat
from pathlib import Path

import pytest

from writing.atomic import WriteError, atomic_write


def test_a_result_file_gets_the_mode_of_any_new_file(tmp_path: Path) -> None:
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("x")
    written = atomic_write(tmp_path / "results.csv", lambda temporary: temporary.write_text("a,b\n1,2\n"))
    assert written.read_text() == "a,b\n1,2\n"
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(ordinary.stat().st_mode)
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["ordinary.txt", "results.csv"]


def test_a_failed_write_leaves_neither_the_file_nor_its_temporary(tmp_path: Path) -> None:
    def fail(temporary: Path) -> None:
        temporary.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(WriteError, match=r"results\.csv.*No space left on device"):
        atomic_write(tmp_path / "results.csv", fail)
    assert list(tmp_path.iterdir()) == []
