"""`behavlab export ...`: a study's records in the field's exchange formats (NWB, BORIS)."""

import typer

app = typer.Typer(
    help="Export a study's sessions in the field's formats: NWB files for DANDI, BORIS observations.",
    no_args_is_help=True,
)
