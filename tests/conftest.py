"""Fixtures for the whole suite: a fresh database per test on SQLite and, given a server, PostgreSQL.

CI (`.ci/run`) starts a throwaway PostgreSQL cluster and sets BEHAVLAB_TEST_POSTGRES_URL to its maintenance
database; every test that takes `database_url` or `workspace` then runs once per backend. Without the variable
the PostgreSQL runs are skipped, so a developer without a server still runs the SQLite half.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from behavlab.services import Workspace, open_workspace

POSTGRES_ENV = "BEHAVLAB_TEST_POSTGRES_URL"

# No per-example time limit: a stall on a loaded CI machine is not a failure (no timed assertions).
settings.register_profile("behavlab", deadline=None)
settings.load_profile("behavlab")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own database, user or passphrase settings."""
    for name in ("BEHAVLAB_DB", "BEHAVLAB_USER", "BEHAVLAB_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def _fresh_postgres_database() -> Iterator[str]:
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (CI's .ci/run does)")
    name = f"behavlab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'behavlab.sqlite'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def workspace(database_url: str) -> Iterator[Workspace]:
    """An opened, migrated workspace acting as 'tester'."""
    opened = open_workspace(database_url, actor="tester")
    yield opened
    opened.engine.dispose()
