"""The database itself refuses to change the audit log; on PostgreSQL the application's role cannot even try.

Migrations run as the database owner; the application runs as a role with INSERT and SELECT only on the
audit tables (`behavlab.db.roles`), which still does everything the application does.
"""

import secrets
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import upgrade_to_head
from behavlab.db.roles import grant_app_role
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    open_workspace,
    record_dose,
    record_weights,
    verify_chain,
)
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE

CHANGES = {
    "update auditevent": "UPDATE auditevent SET actor = 'mallory'",
    "delete auditevent": "DELETE FROM auditevent",
    "update auditrow": "UPDATE auditrow SET sha256 = NULL",
    "delete auditrow": "DELETE FROM auditrow",
}


def _refused(engine: Engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as connection:
        connection.execute(text(sql))
    return " ".join(str(caught.value.orig).split())


def _run_a_study(workspace: Workspace, folder: Path) -> None:
    """Every kind of write the application makes before unmasking: study, roster, weights, seal, dose."""
    create_study(workspace, StudySettings(name="roles"))
    import_roster(workspace, "roles", write_roster(folder / "roster.csv", 8, with_weights=False))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    weighed = datetime.combine(yesterday.date(), time(9, 0), yesterday.tzinfo)
    record_weights(workspace, "roles", write_weights(folder / "weights.csv", baseline_weights(8), weighed))
    draft = draft_randomization(workspace, "roles", RandomizationOptions(no_protocol=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    record_dose(workspace, "roles", sorted(committed.codes.values())[0], at=weighed + timedelta(minutes=30))


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_the_database_refuses_to_change_the_audit_log(
    workspace: Workspace, tmp_path: Path, change: str
) -> None:
    _run_a_study(workspace, tmp_path)
    message = _refused(workspace.engine, CHANGES[change])
    table = change.split()[1]
    assert f"on {table} refused: the audit log is append-only" in message
    assert verify_chain(workspace).ok


def test_postgresql_refuses_truncating_the_audit_log(workspace: Workspace, tmp_path: Path) -> None:
    if workspace.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE is refused above")
    _run_a_study(workspace, tmp_path)
    assert "TRUNCATE on auditevent refused" in _refused(workspace.engine, "TRUNCATE auditevent CASCADE")
    assert "TRUNCATE on auditrow refused" in _refused(workspace.engine, "TRUNCATE auditrow")
    assert verify_chain(workspace).ok


@pytest.fixture
def app_role_url(database_url: str) -> Iterator[str]:
    """The database migrated by its owner, and a URL for a fresh application role granted as documented."""
    if not database_url.startswith("postgresql"):
        pytest.skip("database roles are PostgreSQL's")
    owner = create_database_engine(database_url)
    upgrade_to_head(owner)
    role = f"behavlab_app_{secrets.token_hex(6)}"
    password = secrets.token_hex(16)
    with owner.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        grant_app_role(connection, role)
    try:
        yield (
            make_url(database_url).set(username=role, password=password).render_as_string(hide_password=False)
        )
    finally:
        with owner.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


def test_the_application_works_as_a_role_that_can_only_append_to_the_log(
    app_role_url: str, tmp_path: Path
) -> None:
    workspace = open_workspace(app_role_url, actor="tech")
    try:
        _run_a_study(workspace, tmp_path)
        assert verify_chain(workspace).ok
        for sql in (
            *CHANGES.values(),
            "TRUNCATE auditevent CASCADE",
            "TRUNCATE auditrow",
            "ALTER TABLE auditevent DISABLE TRIGGER ALL",
            "DROP TRIGGER auditevent_append_only ON auditevent",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            message = _refused(workspace.engine, sql)
            assert "permission denied" in message or "must be owner" in message, (sql, message)
        with workspace.engine.begin() as connection:
            connection.execute(text("UPDATE weight SET weight_g = weight_g + 1 WHERE id = 1"))
        report = verify_chain(workspace)
        assert report.chain_ok and [str(p) for p in report.row_problems] == ["weight 1 edited"]
    finally:
        workspace.engine.dispose()
