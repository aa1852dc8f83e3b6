"""PostgreSQL roles: migrations run as the database owner, the app as a role that only appends to the log.

The owner creates the tables and the append-only triggers (`behavlab.db.append_only`); only the owner (or a
superuser) can drop or disable them. The application's role gets ordinary rights on the data tables, SELECT
and INSERT alone on the audit tables, and only SELECT on `alembic_version`, so it can open an up-to-date
database but neither change the log, nor its triggers, nor the schema. Grants cover the tables that exist
when they are made: run `grant_app_role` again, as the owner, after each upgrade.
"""

from sqlalchemy import Connection, text

from behavlab.db.append_only import APPEND_ONLY_TABLES

SCHEMA_TABLE = "alembic_version"


def app_role_statements(role: str, schema: str = "public") -> list[str]:
    """The SQL, run as the owner, that gives the application's role its rights (and no more) on the schema."""
    who = _quoted(role)
    where = _quoted(schema)
    audit_tables = ", ".join(f"{where}.{_quoted(table)}" for table in APPEND_ONLY_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit_tables} FROM {who}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {where}.{_quoted(SCHEMA_TABLE)} FROM {who}",
    ]


def grant_app_role(connection: Connection, role: str, schema: str = "public") -> None:
    """Give the application's role its rights on a migrated PostgreSQL database; run as the owner."""
    if connection.dialect.name != "postgresql":
        raise ValueError(f"database roles are PostgreSQL's; this database is {connection.dialect.name}")
    for statement in app_role_statements(role, schema):
        connection.execute(text(statement))


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
