"""Migration 0007 on a database with data: a baseline of every existing row is recorded (before the audit
log becomes append-only), the whole log verifies, and any later edit of an old row is named."""

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import alembic_config, head_revision, upgrade_to_head
from behavlab.services import Workspace, list_events, verify_chain
from behavlab.services.audit import GENESIS_HASH, event_digest

ROWS_AT_0005 = [
    "INSERT INTO study (id, name, compound, dose_mg_per_kg, route, vehicle, volume_ml_per_kg, species,"
    " strain, created_at, created_by) VALUES (1, 'old', 'ketamine', 10, 'ip', 'saline', 10, 'mouse',"
    " 'C57BL/6J', '2026-01-01 00:00:00+00:00', 'past')",
    "INSERT INTO arm (id, study_id, position, name, substance, dose_mg_per_kg) VALUES"
    " (1, 1, 0, 'vehicle', 'saline', 0), (2, 1, 1, 'ketamine', 'ketamine', 10)",
    "INSERT INTO animal (id, study_id, label, sex, strain, date_of_birth, notes, created_at) VALUES"
    " (1, 1, 'M001', 'F', 'C57BL/6J', '2025-10-01', NULL, '2026-01-01 00:00:00.250000+00:00'),"
    " (2, 1, 'M002', 'M', 'C57BL/6J', '2025-10-02', 'scar on tail', '2026-01-01 00:00:01+00:00')",
    "INSERT INTO weight (id, animal_id, weight_g, measured_at, recorded_by) VALUES"
    " (1, 1, 21.123456789012345, '2026-01-02 09:00:00+00:00', 'past'),"
    " (2, 2, 24, '2026-01-02 09:01:00+00:00', 'past')",
    "INSERT INTO cageassignment (id, animal_id, cage, since) VALUES"
    " (1, 1, 'C1', '2026-01-01 00:00:00+00:00'), (2, 2, 'C1', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO randomization (id, study_id, method, strata, n_arms, n_animals, roster_sha256,"
    " library_version, balance, created_at, created_by) VALUES (1, 1, 'complete', '', 2, 2, :sha, '0.1.0',"
    " '{\"vehicle\": {\"n\": 1}}', '2026-01-03 00:00:00+00:00', 'keyholder')",
    "INSERT INTO allocation (id, study_id, animal_id, blind_code) VALUES"
    " (1, 1, 1, 'K7Q2'), (2, 1, 2, 'P4X9')",
    "INSERT INTO sealedkey (id, study_id, ciphertext, commitment) VALUES (1, 1, 'opaque', :sha)",
    "INSERT INTO exclusion (id, animal_id, reason, criterion_set_a_priori, decided_blind, decided_at,"
    " decided_by) VALUES (1, 2, 'injured', :yes, :no, '2026-01-04 00:00:00+00:00', 'past')",
]


def _old_event(connection: Connection, study_id: int | None) -> None:
    """The one event an old release recorded, hashed as it hashed events then."""
    fields = {
        "prev_hash": GENESIS_HASH,
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor": "past",
        "action": "study.create",
        "entity": "study",
        "entity_id": "old",
        "study_id": study_id,
        "payload": '{"name":"old"}',
    }
    connection.execute(
        text(
            "INSERT INTO auditevent (at, actor, action, entity, entity_id, study_id, payload, prev_hash,"
            " hash) VALUES (:at, :actor, :action, :entity, :entity_id, :study_id, :payload, :prev_hash,"
            " :hash)"
        ),
        fields | {"hash": event_digest(**fields)},
    )


def test_a_database_with_data_gets_a_baseline_and_then_names_every_edit(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        for statement in ROWS_AT_0005:
            connection.execute(text(statement), {"sha": "ab" * 32, "yes": True, "no": False})
        if connection.dialect.name == "postgresql":
            for table in ("study", "arm", "animal", "weight", "cageassignment", "allocation"):
                connection.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        _old_event(connection, 1)
    assert upgrade_to_head(engine).after == head_revision()
    workspace = Workspace(engine=engine, actor="tester", location="test")

    report = verify_chain(workspace)
    assert report.ok, report.describe()
    assert report.rows_checked == 14  # every row inserted above
    baselines = [event for event in list_events(workspace) if event.action == "audit.baseline"]
    assert [event.actor for event in baselines] == ["behavlab migration 0007", "behavlab migration 0008"]
    baseline = baselines[0]
    assert baseline.os_user and baseline.host and baseline.rows_sha256
    assert json.loads(baseline.payload)["rows"]["allocation"] == 2
    assert list_events(workspace)[0].os_user is None  # the old event keeps its old hash

    with engine.begin() as connection:
        connection.execute(text("UPDATE weight SET weight_g = 30 WHERE id = 1"))
        connection.execute(text("UPDATE allocation SET blind_code = 'P4X8' WHERE id = 2"))
        connection.execute(text("DELETE FROM exclusion"))
    report = verify_chain(workspace)
    assert report.chain_ok
    assert [str(p) for p in report.row_problems] == [
        "weight 1 edited",
        "allocation 2 edited",
        "exclusion 1 deleted",
    ]
    assert "K7Q2" not in report.describe() and "vehicle" not in report.describe()
    engine.dispose()


def test_the_baseline_is_written_before_the_log_becomes_append_only(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_to_head(engine)
    assert (
        list_events(Workspace(engine=engine, actor="tester", location="test")) == []
    )  # no rows, no baseline
    with engine.begin() as connection:
        _old_event(connection, None)
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM auditevent"))
    except DBAPIError as refused:
        assert "refused: the audit log is append-only" in str(refused.orig)
    else:
        raise AssertionError("the audit log accepted a DELETE")
    engine.dispose()
