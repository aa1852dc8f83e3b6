"""A sheet is read within MAX_SHEET_ROWS x MAX_SHEET_COLUMNS whatever size it declares: the first cell beyond
is refused by its reference, and a workbook that would unpack to too much is refused before it is parsed."""

import re
import zipfile
from pathlib import Path

import openpyxl

from cohorts.sheet_files import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, MAX_XLSX_UNPACKED_BYTES
from cohorts.tabular import Columns, read_table
from tests.cohorts.sheets import write_csv, write_xlsx

COLUMNS = Columns(required=("animal_id",), optional=("weight_g",))
ACCEPTED = (
    f"accepted: a sheet of at most {MAX_SHEET_ROWS} rows (header included) and {MAX_SHEET_COLUMNS} columns "
    "(A to BL); delete the cells beyond, or split the sheet"
)


def xlsx_with_cells(path: Path, cells: dict[str, object]) -> Path:
    """A one-sheet workbook holding these cells (by reference), as openpyxl saves it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for reference, value in cells.items():
        sheet[reference] = value
    workbook.save(path)
    return path


def with_declared_size(path: Path, reference: str | None) -> Path:
    """The workbook rewritten so its sheet declares `reference` as its size (None: declares none)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    declared = "" if reference is None else f'<dimension ref="{reference}" />'
    parts["xl/worksheets/sheet1.xml"] = re.sub(r"<dimension [^>]*/>", declared, sheet_xml).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_an_xlsx_cell_right_of_the_last_column_is_refused_by_reference(tmp_path: Path) -> None:
    path = xlsx_with_cells(tmp_path / "wide.xlsx", {"A1": "animal_id", "A2": "M1", "XFD2": "x"})
    (problem,) = read_table(path, COLUMNS).problems
    assert str(problem) == (
        f"{path}, row 2: 'XFD2' is a cell right of the last accepted column (64, BL); {ACCEPTED}"
    )


def test_an_xlsx_cell_below_the_last_row_is_refused_by_reference(tmp_path: Path) -> None:
    below = MAX_SHEET_ROWS + 1
    path = xlsx_with_cells(tmp_path / "long.xlsx", {"A1": "animal_id", "A2": "M1", f"B{below}": "x"})
    (problem,) = read_table(path, COLUMNS).problems
    where = f"{path}, row {below}: 'B{below}'"
    assert str(problem) == f"{where} is a cell below the last accepted row ({MAX_SHEET_ROWS}); {ACCEPTED}"


def test_the_last_accepted_column_is_read(tmp_path: Path) -> None:
    header = ["animal_id", *(f"spare {index}" for index in range(MAX_SHEET_COLUMNS - 1))]
    path = write_xlsx(tmp_path / "full.xlsx", header, [["M1", *([None] * (MAX_SHEET_COLUMNS - 2)), "last"]])
    problems = read_table(path, COLUMNS).problems
    assert len(problems) == MAX_SHEET_COLUMNS - 1
    assert all(problem.issue == "is not an accepted column" for problem in problems)


def test_a_declared_size_that_lies_neither_hides_a_far_cell_nor_pads_the_rows(tmp_path: Path) -> None:
    small = xlsx_with_cells(tmp_path / "small.xlsx", {"A1": "animal_id", "A2": "M1", "BM3": "x"})
    (problem,) = read_table(with_declared_size(small, "A1:A2"), COLUMNS).problems
    assert problem.value == "BM3"
    for declared in ("A1:XFD1048576", None):
        path = xlsx_with_cells(tmp_path / "huge.xlsx", {"A1": "animal_id", "B1": "weight_g", "A2": "M1"})
        table = read_table(with_declared_size(path, declared), COLUMNS)
        assert table.problems == ()
        assert [dict(row.cells) for row in table.rows] == [{"animal_id": "M1", "weight_g": ""}]


def test_a_workbook_unpacking_to_too_much_is_refused_before_parsing(tmp_path: Path) -> None:
    path = xlsx_with_cells(tmp_path / "padded.xlsx", {"A1": "animal_id", "A2": "M1"})
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/pad.bin", "w") as pad,
    ):
        for _ in range(MAX_XLSX_UNPACKED_BYTES // len(chunk) + 1):
            pad.write(chunk)
    assert path.stat().st_size < 1_000_000
    (problem,) = read_table(path, COLUMNS).problems
    assert problem.issue.startswith("unpacks to ") and "too large for a study sheet" in problem.issue
    assert problem.accepted.endswith(f"unpacking to at most {MAX_XLSX_UNPACKED_BYTES} bytes")


def test_a_csv_cell_beyond_the_caps_is_refused_and_empty_trailing_cells_are_not(tmp_path: Path) -> None:
    wide = write_csv(tmp_path / "wide.csv", ["animal_id"], [["M1", *([""] * MAX_SHEET_COLUMNS), "x"]])
    (problem,) = read_table(wide, COLUMNS).problems
    assert (problem.row, problem.value) == (2, "BN2")
    padded = write_csv(tmp_path / "padded.csv", ["animal_id"], [["M1", *([""] * (MAX_SHEET_COLUMNS + 5))]])
    assert [dict(row.cells) for row in read_table(padded, COLUMNS).rows] == [{"animal_id": "M1"}]
    rows = [[f"M{index}"] for index in range(MAX_SHEET_ROWS)]
    long = write_csv(tmp_path / "long.csv", ["animal_id"], rows)
    (problem,) = read_table(long, COLUMNS).problems
    assert (problem.row, problem.value) == (MAX_SHEET_ROWS + 1, f"A{MAX_SHEET_ROWS + 1}")
    assert "below the last accepted row" in problem.issue
    exact = write_csv(tmp_path / "exact.csv", ["animal_id"], rows[:-1])
    assert len(read_table(exact, COLUMNS).rows) == MAX_SHEET_ROWS - 1
