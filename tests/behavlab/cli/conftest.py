"""Run the real `behavlab` command in-process and capture what a user would see."""

from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from behavlab.cli.main import app

Invoke = Callable[..., Result]


@pytest.fixture
def cli(database_url: str) -> Invoke:
    """Invoke `behavlab --db URL ARGS...`; set env=... for environment variables."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, with_db: bool = True) -> Result:
        full = ["--db", database_url, *args] if with_db else list(args)
        return runner.invoke(app, full, env={"COLUMNS": "200", **(env or {})})

    return invoke
