"""Running the real `behavlab` command in-process, capturing what a user would see."""

from collections.abc import Callable

from typer.testing import CliRunner, Result

from behavlab.cli.main import app

Invoke = Callable[..., Result]


def cli_on(database_url: str) -> Invoke:
    """Invoke `behavlab --db URL ARGS...` (``with_db=False`` leaves out ``--db``; ``env=`` adds variables)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, with_db: bool = True) -> Result:
        full = ["--db", database_url, *args] if with_db else list(args)
        return runner.invoke(app, full, env={"COLUMNS": "200", **(env or {})})

    return invoke
