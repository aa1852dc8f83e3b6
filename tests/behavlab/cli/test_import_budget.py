"""What `behavlab` imports before it does anything: the start-up budget of every command, as a process.

Each case runs a new interpreter with ``-X importtime`` and reads the modules it imported from that report
(`tests.behavlab.import_report`).
"""

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from behavlab.cli.main import GC_THRESHOLDS, SUBCOMMANDS, app
from behavlab.services import StudySettings, create_study, open_workspace
from tests.behavlab.import_report import NOT_AT_START, imported_modules, loaded

#: A command that reads the database loads no more of this list than a migration would.
NOT_FOR_READING = ("alembic", "pandas", "cv2", "av", "scipy", "matplotlib")
#: The ORM: a listing read by a Core query needs SQLAlchemy's engine, not these.
ORM = ("sqlmodel", "sqlalchemy.orm")


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    modules = imported_modules("-c", "import behavlab.cli.main")
    assert "behavlab.cli.main" in modules
    assert loaded(modules, NOT_AT_START) == []


@pytest.mark.parametrize("arguments", [["--version"], ["--help"], ["animals", "list", "--help"]])
def test_version_and_help_load_no_service_nor_database(arguments: list[str]) -> None:
    modules = imported_modules("-m", "behavlab", *arguments)
    assert loaded(modules, (*NOT_AT_START, "sqlmodel", "sqlalchemy")) == []  # so no service either


def test_listing_studies_loads_neither_alembic_nor_the_orm_nor_the_table_and_video_stack(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'behavlab.sqlite'}"
    open_workspace(url, "tester").engine.dispose()  # at head: opening it again needs no migration
    modules = imported_modules("-m", "behavlab", "--db", url, "study", "list")
    assert "sqlalchemy.engine" in modules  # the command did read the database
    assert loaded(modules, NOT_FOR_READING) == []
    assert sorted(modules & set(ORM)) == []


def test_reading_animals_does_load_the_orm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behavlab.sqlite'}"
    workspace = open_workspace(url, "tester")
    create_study(workspace, StudySettings(name="pilot"))
    workspace.engine.dispose()
    modules = imported_modules("-m", "behavlab", "--db", url, "animals", "list", "pilot")
    assert sorted(modules & set(ORM)) == sorted(ORM)  # so the check above can see the ORM when it loads


def test_listing_studies_builds_no_table_class(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behavlab.sqlite'}"
    open_workspace(url, "tester").engine.dispose()
    script = (
        "import sys\n"
        "from behavlab.cli.main import main\n"
        f"sys.argv = ['behavlab', '--db', {url!r}, 'study', 'list']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(name for name in sys.modules if name.startswith('behavlab.models.')), file=sys.stderr)"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    tables = finished.stderr.strip().splitlines()[-1]
    assert tables == str(["behavlab.models.utc_time"])


def test_the_command_runs_with_the_collector_thresholds_it_sets_for_start_up() -> None:
    script = (
        "import gc, sys\n"
        "from behavlab.cli.main import main\n"
        "sys.argv = ['behavlab', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(gc.get_threshold(), file=sys.stderr)"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert finished.stderr.strip().splitlines()[-1] == str(GC_THRESHOLDS)


def test_the_root_lists_each_subcommand_by_the_first_paragraph_of_its_own_help() -> None:
    root = typer.main.get_group(app)
    for name, subcommand in SUBCOMMANDS.items():
        command = subcommand.load(name)
        own_help = (command.help or "").strip().split("\n\n")[0]
        assert subcommand.summary == " ".join(own_help.split()), name
    assert root.list_commands(root.make_context("behavlab", ["--help"], resilient_parsing=True)) == list(
        SUBCOMMANDS
    )
