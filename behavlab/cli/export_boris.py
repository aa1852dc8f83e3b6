"""`behavlab export boris`: the machine's bouts as a BORIS project, by blind code, for raters to review."""

from pathlib import Path

import typer

from behavlab.cli.options import SCORES_FOLDER_OPTION
from behavlab.cli.output import print_warning, stdout
from behavlab.cli.state import state_of
from behavlab.services.boris_export import export_boris_project


def export_boris(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    out: Path = typer.Option(..., "--out", help="The folder for <study>.boris.", file_okay=False),
    scores: Path | None = SCORES_FOLDER_OPTION,
) -> None:
    """Write each scored FST session's immobility bouts as a BORIS observation (codes only, never an arm)."""
    written = export_boris_project(state_of(ctx).workspace(), study, out, scores)
    stdout().print(f"wrote {len(written.observations)} observations to {written.path}")
    for name, reason in written.missing:
        print_warning(f"{name}: left out: {reason}")
