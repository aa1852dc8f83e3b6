"""The audit tables are append-only in the database itself, whoever asks.

Triggers refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) on `auditevent` and `auditrow`.

A SQLite file's owner can still drop the triggers; on PostgreSQL the application runs as a role with only
INSERT and SELECT on these tables (`behavlab.db.roles`), so it cannot change or drop them at all. A later
migration that rebuilds one of these tables (SQLite batch mode copies and drops it, and its triggers with it)
must call `create_append_only_guards` again.
"""

from sqlalchemy import Connection, text

#: Tables no one may change once written.
APPEND_ONLY_TABLES = ("auditevent", "auditrow")

_POSTGRES_FUNCTION = "behavlab_refuse_change"


def create_append_only_guards(connection: Connection) -> None:
    """Create the triggers that refuse UPDATE and DELETE (and TRUNCATE) on every append-only table."""
    for statement in _guard_statements(connection.dialect.name):
        connection.execute(text(statement))


def drop_append_only_guards(connection: Connection) -> None:
    """Remove those triggers (a downgrade; or a test playing an attacker who owns the database)."""
    if connection.dialect.name == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {table}_{kind} ON {table}"
            for table in APPEND_ONLY_TABLES
            for kind in ("append_only", "no_truncate")
        ] + [f"DROP FUNCTION IF EXISTS {_POSTGRES_FUNCTION}()"]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
            for table in APPEND_ONLY_TABLES
            for operation in ("update", "delete")
        ]
    for statement in statements:
        connection.execute(text(statement))


def _guard_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        function = (
            f"CREATE OR REPLACE FUNCTION {_POSTGRES_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        return [function] + [
            statement
            for table in APPEND_ONLY_TABLES
            for statement in (
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {_POSTGRES_FUNCTION}()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_POSTGRES_FUNCTION}()",
            )
        ]
    return [
        f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{operation} on {table} refused: the audit log is append-only'); END"
        for table in APPEND_ONLY_TABLES
        for operation in ("UPDATE", "DELETE")
    ]
