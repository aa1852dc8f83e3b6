"""`behavlab void`: a wrong record is voided with its reason, kept, and left out of every computation."""

import typer

from behavlab.cli.output import stdout
from behavlab.cli.state import state_of
from behavlab.services import VOID_ENTITIES, void_record


def void(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    entity: str = typer.Argument(..., help=f"What to void: {', '.join(VOID_ENTITIES)}."),
    record_id: int = typer.Argument(..., help="The record's number, as `animals timeline` shows it."),
    reason: str = typer.Option(..., help="What was wrong with it."),
    amend: str | None = typer.Option(None, help="After unmasking: the amendment's reason (required then)."),
) -> None:
    """Void a weight, dose, FST session, score or bottle sheet: kept and audited, no longer counted."""
    voided = void_record(state_of(ctx).workspace(), study, entity, record_id, reason, amend)
    whose = f" of {voided.code}" if voided.code else ""
    stdout().print(f"voided {voided.entity} {voided.record_id}{whose}: {voided.reason}")
