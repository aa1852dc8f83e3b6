"""Schema migrations with Alembic: every database is brought to the code's head revision when opened.

Opening a database that is already at head reads its revision with one plain query: Alembic (a third of a
second to import) loads only when a migration has to run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from behavlab.db.driver_errors import translated_errors
from behavlab.db.engine import writer_engine
from behavlab.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "behavlab:migrations"
#: The newest revision in behavlab/migrations/versions (a test holds it equal to Alembic's head).
HEAD_REVISION = "0010"
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class UpgradeResult:
    """The schema revision a database had before an upgrade and the one it has now."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        """Whether any migration ran."""
        return self.before != self.after


def alembic_config() -> Config:
    """Alembic's configuration pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest schema revision this release knows, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise DatabaseError("behavlab ships no migrations; the installation is broken")
    return head


def stored_revisions(engine: Engine) -> list[str]:
    """The revisions the database's version table holds (none for an empty database), read without Alembic."""
    with translated_errors(), engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return []
        return list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def upgrade_to_head(engine: Engine) -> UpgradeResult:
    """Bring the database to head: nothing to do when it is there already, else migrate with Alembic."""
    if stored_revisions(engine) == [HEAD_REVISION]:
        return UpgradeResult(before=HEAD_REVISION, after=HEAD_REVISION)
    return _migrate_to_head(engine)


def _migrate_to_head(engine: Engine) -> UpgradeResult:
    """Migrate the database to head inside one writer transaction, so two processes never race."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = alembic_config()
    head = head_revision()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    with (
        translated_errors(),
        writer_engine(engine).connect() as connection,
        _sqlite_foreign_keys_checked_at_end(connection),
        connection.begin(),
    ):
        before = MigrationContext.configure(connection).get_current_revision()
        if before is not None and before not in known:
            raise DatabaseError(
                f"the database has schema revision {before}, newer than this behavlab knows "
                f"(head {head}); install a newer behavlab to open it"
            )
        if before != head:
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            except CommandError as exc:
                raise DatabaseError(f"cannot upgrade the database schema: {exc}") from exc
            _refuse_broken_references(connection)
    if before is not None and before != head:
        reclaim_freed_pages(engine)
    return UpgradeResult(before=before, after=head)


@contextmanager
def _sqlite_foreign_keys_checked_at_end(connection: Connection) -> Iterator[None]:
    """On SQLite, switch off foreign-key enforcement while migrating (checked once before commit instead).

    A SQLite migration that changes a constraint rebuilds the table (copy, drop, rename); dropping a table
    other rows refer to fails while enforcement is on, and the pragma only takes effect outside a
    transaction, so it is set on the driver's connection before BEGIN and restored afterwards.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _refuse_broken_references(connection: Connection) -> None:
    """On SQLite, refuse (and so roll back) a migration that left a row referring to a missing one."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise DatabaseError(f"the schema upgrade left rows referring to missing ones: {broken[:5]}")


def reclaim_freed_pages(engine: Engine) -> None:
    """Rewrite the database so values a migration removed survive in no free page or old row version.

    SQLite: VACUUM rebuilds the file and a TRUNCATE checkpoint empties the write-ahead log. PostgreSQL: a
    dropped column and an updated row leave old tuple versions behind until the table is rewritten, so every
    table is rewritten with VACUUM FULL. Both run outside a transaction, after the migration committed.
    """
    statements = {
        "sqlite": ("VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"),
        "postgresql": ("VACUUM FULL",),
    }.get(engine.dialect.name, ())
    with translated_errors():
        raw = engine.raw_connection()
        try:
            if engine.dialect.name == "postgresql":
                raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cursor = raw.cursor()
            for statement in statements:
                cursor.execute(statement)
            cursor.close()
        finally:
            if engine.dialect.name == "postgresql":
                raw.driver_connection.autocommit = False  # type: ignore[union-attr]
            raw.close()
