"""`behavlab demo`: run the standard study end to end on a fresh embedded database."""

from pathlib import Path

import typer

from behavlab.cli.output import print_study, stdout
from behavlab.cli.state import state_of
from behavlab.services import DEMO_PASSPHRASE, DemoPlan, open_workspace, run_demo

DEMO_DATABASE = "behavlab-demo.sqlite"


def demo(
    ctx: typer.Context,
    directory: Path = typer.Option(Path(".demo"), "--dir", help="Where the demo's database and files go."),
    animals: int = typer.Option(24, "--animals", min=4, help="How many synthetic mice (4 to a video)."),
) -> None:
    """Run the demo study on its own SQLite database in --dir (replaced at each run)."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / DEMO_DATABASE
    for leftover in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    workspace = open_workspace(f"sqlite:///{database}", state_of(ctx).user)
    report = run_demo(workspace, directory, DemoPlan(n_animals=animals))
    console = stdout()
    console.print(f"demo database: {database}")
    print_study(report.overview)
    console.print(
        "Balance the demo key holder saw before committing (arms by number; sealed with the key, stored "
        "nowhere in the clear, revealed at unmasking):"
    )
    for line in report.balance.lines():
        console.print(f"  {line}")
    console.print(f"allocation sealed; commitment (SHA-256) {report.commitment}")
    console.print("unmasking publishes the commitment's opening (salt and allocation) to recompute it")
    console.print(f"demo key holder's passphrase: {DEMO_PASSPHRASE!r}")
    scoring = report.scoring
    console.print(
        f"{report.n_doses} coded doses; {report.n_videos} FST videos scored: {scoring.scored} sessions "
        f"({len(scoring.failures)} failed), results in {scoring.out_dir}"
    )
    console.print("each animal's test start, as scoring stored it, beside the moment the demo dropped it in:")
    for start in report.starts:
        console.print(f"  {start.line()}")
    console.print(f"files written in {directory}: {', '.join(sorted(p.name for p in report.files))}")
    name, db = report.overview.study.name, f"--db sqlite:///{database}"
    console.print("the study is ready for the key holder; try:")
    for command in (
        f"fst list {name}",
        f"unmask {name} --yes",
        f"report {name} --out {directory / 'report'}",
    ):
        console.print(f"  BEHAVLAB_PASSPHRASE={DEMO_PASSPHRASE!r} behavlab {db} {command}")
