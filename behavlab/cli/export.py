"""`behavlab export ...`: a study's records in the field's exchange formats (NWB, BORIS)."""

import typer

from behavlab.cli.export_boris import export_boris
from behavlab.cli.export_nwb import export_nwb_files

app = typer.Typer(
    help="Export a study's sessions in the field's formats: NWB files for DANDI, BORIS observations.",
    no_args_is_help=True,
)
app.command("boris")(export_boris)
app.command("nwb")(export_nwb_files)
