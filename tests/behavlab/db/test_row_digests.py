"""Row digests: every model table is audited or exempt for a stated reason, and a row's digest reads back the
same from the database as the values that were written, on SQLite and PostgreSQL."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlmodel import SQLModel

from behavlab.db.engine import create_database_engine
from behavlab.db.row_digests import (
    AUDITED_TABLES,
    EXEMPT_TABLES,
    canonical_value,
    row_digest,
    table_digests,
)
from behavlab.models import load_all


def test_every_model_table_is_audited_or_exempt_with_a_reason() -> None:
    load_all()
    tables = set(SQLModel.metadata.tables)
    neither = sorted(tables - set(AUDITED_TABLES) - set(EXEMPT_TABLES))
    assert not neither, f"add {neither} to AUDITED_TABLES or EXEMPT_TABLES in behavlab/db/row_digests.py"
    assert not set(AUDITED_TABLES) & set(EXEMPT_TABLES)
    assert set(AUDITED_TABLES) | set(EXEMPT_TABLES) == tables, "a listed table that is no model table"
    assert all(len(reason) > 40 for reason in EXEMPT_TABLES.values())
    assert sorted(EXEMPT_TABLES) == ["auditevent", "auditrow"]


def test_every_audited_table_has_a_single_column_primary_key() -> None:
    load_all()
    for name in AUDITED_TABLES:
        keys = list(SQLModel.metadata.tables[name].primary_key.columns)
        assert [key.name for key in keys] == ["id"], name


def test_canonical_values_are_typed_and_exact() -> None:
    paris = timezone(timedelta(hours=1))
    assert canonical_value(True) == "b:1" and canonical_value(1) == "i:1" and canonical_value(1.0) == "f:1.0"
    assert canonical_value(0.1 + 0.2) == "f:0.30000000000000004"
    assert canonical_value(datetime(2026, 1, 1, 1, 0, 0, 5, tzinfo=paris)) == "t:2026-01-01T00:00:00.000005Z"
    assert canonical_value(datetime(2026, 1, 1)) == canonical_value(datetime(2026, 1, 1, tzinfo=UTC))
    assert canonical_value(date(2026, 1, 1)) == "d:2026-01-01"
    assert canonical_value(b"\x00\xff") == "x:00ff"
    assert canonical_value("1") != canonical_value(1)
    with pytest.raises(TypeError, match="Decimal"):
        canonical_value(Decimal("1.5"))


def test_a_null_column_is_left_out_so_adding_a_nullable_column_keeps_every_digest() -> None:
    assert row_digest("weight", "1", {"id": 1, "note": None}) == row_digest("weight", "1", {"id": 1})
    assert row_digest("weight", "1", {"id": 1}) != row_digest("weight", "2", {"id": 1})
    assert row_digest("weight", "1", {"id": 1}) != row_digest("animal", "1", {"id": 1})


def test_a_row_reads_back_to_the_digest_of_the_values_written(database_url: str) -> None:
    probe = Table(
        "digestprobe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("grams", Float),
        Column("when", DateTime(timezone=True)),
        Column("born", Date),
        Column("flag", Boolean),
        Column("blob", LargeBinary),
        Column("label", String(60)),
        Column("notes", Text),
    )
    values = {
        "id": 7,
        "grams": 0.1 + 0.2,
        "when": datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
        "born": date(2025, 12, 31),
        "flag": False,
        "blob": bytes(range(256)),
        "label": "M\u00e9 7 ",
        "notes": None,
    }
    engine = create_database_engine(database_url)
    probe.create(engine)
    with engine.begin() as connection:
        connection.execute(probe.insert().values(**values))
    with engine.connect() as connection:
        stored = table_digests(connection, probe)
        reflected = table_digests(connection, Table("digestprobe", MetaData(), autoload_with=connection))
    assert stored == reflected == {"7": row_digest("digestprobe", "7", values)}
    engine.dispose()


def test_row_ids_are_never_confused_with_each_other() -> None:
    digests = {row_digest("animal", str(i), {"id": i, "label": "M1"}) for i in range(1, 200)}
    assert len(digests) == 199
    assert canonical_value(uuid.UUID(int=1)).startswith("u:")
