"""`behavlab cohort ...`: a study's cohorts (batches run on their own dates), added and listed."""

from datetime import datetime

import typer

from behavlab.cli.output import stdout, table
from behavlab.cli.state import state_of
from behavlab.services import add_cohort, list_cohorts
from behavlab.services.display import COHORT_COLUMNS, cohort_cells, local_minute

app = typer.Typer(
    help="Cohorts of a study: batches run weeks apart, each randomized and sealed within itself.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    name: str = typer.Argument(
        ..., help="The cohort's name, unique in the study (the roster's cohort column)."
    ),
    starts_on: datetime | None = typer.Option(
        None, "--starts-on", formats=["%Y-%m-%d"], help="The day the cohort starts (YYYY-MM-DD)."
    ),
) -> None:
    """Add a cohort; animals join it through the roster's cohort column, and it is randomized on its own."""
    cohort = add_cohort(state_of(ctx).workspace(), study, name, starts_on.date() if starts_on else None)
    stdout().print(f"added cohort {cohort.name} to {study}; randomize it with --cohort {cohort.name!r}")


@app.command("list")
def list_(ctx: typer.Context, study: str = typer.Argument(..., help="The study's name.")) -> None:
    """List the study's cohorts: start date, animals, and whether each is randomized."""
    rows = [
        (*cohort_cells(cohort), f"{local_minute(cohort.created_at)} by {cohort.created_by}")
        for cohort in list_cohorts(state_of(ctx).workspace(), study)
    ]
    stdout().print(table(f"Cohorts of {study}", [*COHORT_COLUMNS, "added"], rows))
