"""`behavlab audit ...`: read and verify the hash-chained audit log."""

import typer

from behavlab.cli.output import stdout, table
from behavlab.cli.state import state_of
from behavlab.errors import AuditChainError
from behavlab.services import list_events, verify_chain

app = typer.Typer(help="Read and verify the audit log.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Recompute the hash chain; exit non-zero naming the first event that does not match."""
    report = verify_chain(state_of(ctx).workspace())
    if not report.ok:
        raise AuditChainError(
            f"audit chain broken at event {report.first_bad_event_id}: {report.problem} "
            f"({report.events_checked} events before it verified)"
        )
    stdout().print(f"audit chain intact: {report.events_checked} events verified")


@app.command("log")
def log(
    ctx: typer.Context,
    study: str | None = typer.Option(None, help="Only this study's events."),
    last: int | None = typer.Option(None, min=1, help="Only the latest N events."),
) -> None:
    """List audit events in the order they happened."""
    events = list_events(state_of(ctx).workspace(), study_name=study, limit=last)
    if not events:
        stdout().print("no audit events")
        return
    stdout().print(
        table(
            None,
            ["#", "at (UTC)", "actor", "action", "entity", "payload"],
            (
                (
                    e.id,
                    f"{e.at:%Y-%m-%d %H:%M:%S}",
                    e.actor,
                    e.action,
                    f"{e.entity} {e.entity_id or ''}",
                    e.payload,
                )
                for e in events
            ),
        )
    )
