"""`behavlab audit ...`: read and verify the hash-chained audit log."""

from pathlib import Path

import typer

from behavlab.cli.output import stdout, table
from behavlab.cli.state import state_of
from behavlab.errors import AuditChainError
from behavlab.services import list_events, parse_head, read_receipt, verify_chain, verify_extends
from behavlab.services.display import AUDIT_COLUMNS, audit_cells

app = typer.Typer(help="Read and verify the audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    ctx: typer.Context,
    head: str | None = typer.Option(
        None,
        "--head",
        help="Also prove the log extends this chain head: the 64 hex digits printed on a sheet or report "
        "(or the whole 'audit chain head: HASH (N events)' line).",
    ),
    receipt: Path | None = typer.Option(
        None,
        "--receipt",
        help="Also prove the log extends the chain head printed in this file: a dosing or preparer's sheet, "
        "report.md, report.html or manifest.json.",
    ),
) -> None:
    """Recompute the hash chain; exit non-zero naming the first event that does not match.

    With --head or --receipt, also prove the log still extends a head printed earlier: the event with that
    hash is at that position and the chain verifies through it to the end (truncation and re-chaining fail).
    """
    workspace = state_of(ctx).workspace()
    claimed = [] if head is None else [(*parse_head(head), "")]
    if receipt is not None:
        claimed += [(found.hash, found.events, f" from {receipt}") for found in read_receipt(receipt)]
    report = verify_chain(workspace)
    if not report.ok:
        raise AuditChainError(report.describe())
    stdout().print(report.describe(), soft_wrap=True)
    for head_hash, events, source in claimed:
        check = verify_extends(workspace, head_hash, events, chain=report)
        if not check.ok:
            raise AuditChainError(f"the audit log does not extend head {head_hash}{source}: {check.problem}")
        stdout().print(
            f"audit log extends head {head_hash}{source} "
            f"({check.position} events then, {check.events_now} now)",
            soft_wrap=True,
        )


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
    stdout().print(table(None, AUDIT_COLUMNS, (audit_cells(event) for event in events)))
