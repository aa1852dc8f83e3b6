"""`behavlab export nwb`: each FST session as an NWB file for DANDI; before unmasking only with --blind."""

from pathlib import Path

import typer

from behavlab.cli.options import SCORES_FOLDER_OPTION
from behavlab.cli.output import stdout
from behavlab.cli.state import state_of
from behavlab.services.nwb_export import export_nwb


def export_nwb_files(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    out: Path = typer.Option(
        ..., "--out", help="The DANDI folder: one sub-<code>/ folder per animal.", file_okay=False
    ),
    blind: bool = typer.Option(
        False,
        "--blind",
        help="Blind codes only: no arm, substance or mg/kg (the only export before unmasking).",
    ),
    scores: Path | None = SCORES_FOLDER_OPTION,
) -> None:
    """Write one NWB file per animal and FST session: subject, video reference, doses, bouts, signal, pose."""
    written = export_nwb(state_of(ctx).workspace(), study, out, blind=blind, scores_dir=scores)
    kind = "blind NWB files (no arm)" if written.blind else "NWB files"
    stdout().print(f"wrote {len(written.files)} {kind} to {out}")
    for path in written.files:
        stdout().print(f"  {path.relative_to(out)}")
