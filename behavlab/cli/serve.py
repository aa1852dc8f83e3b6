"""`behavlab serve`: the terminal app in a web browser, through textual-serve."""

import os
from pathlib import Path

import typer

from behavlab.cli.output import stdout
from behavlab.cli.state import state_of
from behavlab.services.serving import APP_COMMAND, NO_AUTHENTICATION, app_environment, served_address

#: The page textual-serve hands to browsers, with its font served locally instead of from Google Fonts.
SERVE_PAGE = Path(__file__).with_name("serve_page")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="The port to listen on."),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        help="The URL browsers reach this server by, e.g. on a reverse proxy (default: http://HOST:PORT for "
        "a loopback host; required for any other).",
    ),
    allow_remote: bool = typer.Option(
        False,
        "--allow-remote",
        help="Listen on a non-loopback address: there is no login, so only behind an authenticating proxy.",
    ),
) -> None:
    """Serve the terminal app to web browsers; each visit runs the app on this database as this user.

    textual-serve has no authentication, so it listens on loopback only, unless --allow-remote.
    """
    address = served_address(host, port, public_url=public_url, allow_remote=allow_remote)
    state = state_of(ctx)
    os.environ.update(app_environment(state.database_url, state.workspace().actor))
    from textual_serve.server import Server

    if allow_remote:
        stdout().print(f"warning: {NO_AUTHENTICATION}")
    Server(
        APP_COMMAND,
        host=address.host,
        port=address.port,
        title="behavlab",
        public_url=address.public_url,
        templates_path=SERVE_PAGE,
    ).serve()
