"""Opening a database from a URL: SQLite tuned for concurrent writers, or any SQLAlchemy URL."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from behavlab.errors import DatabaseError

SQLITE_BUSY_TIMEOUT_S = 30.0
WRITE_OPTION = "behavlab_write"
ACCEPTED_URLS = "sqlite:///PATH/TO/FILE.sqlite or postgresql+psycopg://USER:PASSWORD@HOST/DBNAME"


def parse_database_url(url: str) -> URL:
    """Parse a SQLAlchemy URL, or fail naming the URL and the forms that are accepted."""
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot parse database URL {url!r}; accepted: {ACCEPTED_URLS}") from exc


def describe_url(url: URL) -> str:
    """The URL as it may be shown to a user: never with its password."""
    return url.render_as_string(hide_password=True)


def create_database_engine(url: str) -> Engine:
    """An engine for the URL; SQLite files get WAL, foreign keys, a busy timeout and immediate writers."""
    parsed = parse_database_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise DatabaseError(
            f"unknown database kind in {describe_url(parsed)!r}; accepted: {ACCEPTED_URLS}"
        ) from exc
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the driver for {describe_url(parsed)!r} is not installed ({exc.name}); "
            "for PostgreSQL install behavlab[postgres]"
        ) from exc


def _sqlite_engine(url: URL) -> Engine:
    """A SQLite engine whose writers take the write lock at BEGIN, so read-then-write never deadlocks."""
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def writer_engine(engine: Engine) -> Engine:
    """The same engine (same pool) flagged so that its transactions start as writers."""
    return engine.execution_options(**{WRITE_OPTION: True})
