"""`behavlab demo`: run a demo study end to end on a fresh embedded database."""

from pathlib import Path

import typer

from behavlab.cli.output import print_study, stdout
from behavlab.cli.state import state_of
from behavlab.services import DEMO_PASSPHRASE, DemoPlan, open_workspace, protocol_lines, run_demo
from behavlab.services.demo_designs import DESIGNS, DOSE_RESPONSE, demo_design

DEMO_DATABASE = "behavlab-demo.sqlite"
ANIMALS_STEPS = "; ".join(f"{name}: a multiple of {spec.animals_step}" for name, spec in DESIGNS.items())
ANIMALS_HELP = f"How many synthetic mice, 4 to a video ({ANIMALS_STEPS})."


def demo(
    ctx: typer.Context,
    directory: Path = typer.Option(Path(".demo"), "--dir", help="Where the demo's database and files go."),
    animals: int = typer.Option(
        24,
        "--animals",
        min=1,
        help=ANIMALS_HELP,
    ),
    design: str = typer.Option(
        DOSE_RESPONSE,
        "--design",
        help=f"The study: {' or '.join(DESIGNS)} (vehicle, ketamine 3, 10, 30 mg/kg; or CUS vs control x "
        "vehicle vs ketamine 10 mg/kg, the question the interaction).",
    ),
) -> None:
    """Run a demo study, its protocol declared before randomizing, on its own SQLite database in --dir.

    The database is replaced at each run.
    """
    demo_design(design, animals)
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
    report = run_demo(workspace, directory, DemoPlan(design=design, n_animals=animals))
    console = stdout()
    console.print(f"demo database: {database}")
    print_study(report.overview)
    console.print(f"protocol version {report.protocol.version}, declared before randomizing:")
    for line in protocol_lines(report.protocol):
        console.print(f"  {line}")
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
