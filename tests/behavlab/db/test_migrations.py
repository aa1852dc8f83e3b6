"""Migrations build the schema the models declare, upgrade idempotently, and refuse unknown newer schemas."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import alembic_config, head_revision, upgrade_to_head
from behavlab.errors import DatabaseError
from behavlab.models import load_all

EXPECTED_TABLES = {
    "study",
    "arm",
    "animal",
    "weight",
    "cageassignment",
    "auditevent",
    "alembic_version",
    "randomization",
    "allocation",
    "sealedkey",
    "doseevent",
    "exclusion",
    "unmaskevent",
    "fstsession",
    "immobilityscore",
    "sptperiod",
    "sptreading",
    "sptsheetfile",
    "revealedallocation",
}


def test_empty_database_is_migrated_to_head(database_url: str) -> None:
    engine = create_database_engine(database_url)
    result = upgrade_to_head(engine)
    assert result.before is None
    assert result.after == head_revision()
    assert result.changed
    assert set(inspect(engine).get_table_names()) >= EXPECTED_TABLES
    engine.dispose()


def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_to_head(engine)
    again = upgrade_to_head(engine)
    assert again.before == again.after == head_revision()
    assert not again.changed
    engine.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        load_all()
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    engine.dispose()


def test_a_schema_newer_than_this_release_is_refused(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(DatabaseError, match="newer than this behavlab knows"):
        upgrade_to_head(engine)
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path}/pragmas.sqlite")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "cannot parse database URL"),
        ("nosuchdb://host/x", "unknown database kind"),
    ],
)
def test_bad_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message) as caught:
        create_database_engine(url)
    assert "sqlite:///" in str(caught.value)


def test_passwords_are_never_shown(tmp_path: object) -> None:
    with pytest.raises(DatabaseError) as caught:
        create_database_engine("nosuchdb://alice:s3cret@host/x")
    assert "s3cret" not in str(caught.value)


def test_a_database_from_the_first_release_upgrades_and_keeps_its_data(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO study (name, compound, dose_mg_per_kg, route, vehicle, volume_ml_per_kg,"
                " species, strain, created_at, created_by) VALUES ('old', 'ketamine', 10, 'ip', 'saline',"
                " 10, 'mouse', 'C57BL/6J', '2026-01-01 00:00:00+00:00', 'past')"
            )
        )
    result = upgrade_to_head(engine)
    assert (result.before, result.after) == ("0001", head_revision())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM study")).scalar_one() == "old"
    engine.dispose()
