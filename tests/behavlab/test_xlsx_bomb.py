"""The XLSX bomb: a 5 KB workbook with one cell at XFD1048576 that declares its size as A1:XFD1048576 is
refused by reference, within 200 MB of address space, instead of being padded to 17 billion cells.

The capped process runs the roster reader that `behavlab animals import` runs first
(`cohorts.roster.read_roster` on the file, before any database work). The whole CLI cannot start under 200 MB:
importing
`behavlab.services` loads NumPy, OpenCV and PyAV, whose shared libraries alone map more than 400 MB of address
space (measured: the CLI fails at 200 and 400 MB with "failed to map segment from shared object" and runs at
600 MB); the CLI's own refusal of the same file is checked in-process below.
"""

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from behavlab.cli.main import app
from cohorts.sheet_files import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS

ADDRESS_SPACE_BYTES = 200 << 20
ROWS, COLUMNS = MAX_SHEET_ROWS, MAX_SHEET_COLUMNS
REFUSAL = (
    f"row 1048576: 'XFD1048576' is a cell below the last accepted row ({ROWS}) and right of the last "
    f"accepted column ({COLUMNS}, BL); accepted: a sheet of at most {ROWS} rows (header included) and "
    f"{COLUMNS} columns"
)
READ_ROSTER = """
import sys
from pathlib import Path
from cohorts.problems import InputError
from cohorts.roster import read_roster
try:
    read_roster(Path(sys.argv[1]))
except InputError as refused:
    print(refused)
    sys.exit(3)
"""


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    """The roster header and one cell at the last cell a worksheet can address."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for column, name in enumerate(["animal_id", "sex", "strain", "dob", "cage"], start=1):
        sheet.cell(1, column, name)
    sheet["XFD1048576"] = "x"
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert path.stat().st_size < 10_000
    return path


def _cap_address_space() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_the_bomb_is_refused_within_200_mb_of_address_space(bomb: Path) -> None:
    # OpenBLAS (loaded by openpyxl's optional NumPy import) reserves a buffer per core; one thread keeps the
    # process the same size on any machine.
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    finished = subprocess.run(
        [sys.executable, "-c", READ_ROSTER, str(bomb)],
        capture_output=True,
        text=True,
        env=environment,
        preexec_fn=_cap_address_space,
        check=False,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 3, output
    assert f"{bomb}, {REFUSAL}" in finished.stdout
    assert "MemoryError" not in output and "damaged" not in output


def test_behavlab_animals_import_refuses_the_bomb_naming_file_cell_and_caps(
    database_url: str, bomb: Path
) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["--db", database_url, "study", "create", "bomb"])
    assert created.exit_code == 0, created.output
    result = runner.invoke(app, ["--db", database_url, "animals", "import", "bomb", str(bomb)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bomb}, {REFUSAL}" in " ".join(result.stderr.split())
    listed = runner.invoke(app, ["--db", database_url, "animals", "list", "bomb"])
    assert "no animals in bomb yet" in listed.stdout
