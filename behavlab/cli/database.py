"""`behavlab db ...`: schema maintenance."""

import typer

from behavlab.cli.output import stdout
from behavlab.cli.state import state_of
from behavlab.services import upgrade_database

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database's schema to this release (opening it does so too)."""
    location, result = upgrade_database(state_of(ctx).database_url)
    if result.changed:
        stdout().print(f"upgraded {location} from {result.before or 'empty'} to {result.after}")
    else:
        stdout().print(f"{location} is up to date at {result.after}")
