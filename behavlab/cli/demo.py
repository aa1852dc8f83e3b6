"""`behavlab demo`: run the standard study end to end on a fresh embedded database."""

from pathlib import Path

import typer

from behavlab.cli.output import print_study, stdout
from behavlab.cli.state import state_of
from behavlab.services import open_workspace, run_demo

DEMO_DATABASE = "behavlab-demo.sqlite"


def demo(
    ctx: typer.Context,
    directory: Path = typer.Option(Path(".demo"), "--dir", help="Where the demo's database and files go."),
) -> None:
    """Run the demo study on its own SQLite database in --dir (replaced at each run)."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory.resolve() / DEMO_DATABASE
    for leftover in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    workspace = open_workspace(f"sqlite:///{database}", state_of(ctx).user)
    overview = run_demo(workspace)
    stdout().print(f"demo database: {database}")
    print_study(overview)
