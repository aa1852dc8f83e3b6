"""Upgrading a database whose randomization kept the per-arm balance in the clear: the values survive nowhere.

A study randomized by release 0.1 (schema 0005) stored each arm's n, sexes, weight mean and SD and cages in
`randomization.balance`. After the upgrade the column is gone, the database file (and its write-ahead log)
holds none of those bytes, and `study show`, the audit log and the report say that they had been readable.
"""

import json
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from behavlab.cli.main import app
from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import alembic_config, upgrade_to_head
from behavlab.notices import BALANCE_WAS_READABLE, SEALED_BALANCE_RELEASE
from behavlab.services import list_events, open_workspace, write_study_report

#: A per-arm weight SD at full precision, as the old release stored it: it must vanish from the file.
OLD_SD = 1.7320508075688772
OLD_BALANCE = json.dumps(
    {
        "arms": [
            {"label": "arm 1", "n": 2, "females": 1, "males": 1, "n_weighed": 2, "weight_mean_g": 24.25,
             "weight_sd_g": OLD_SD, "cages": 2},
            {"label": "arm 2", "n": 2, "females": 1, "males": 1, "n_weighed": 2, "weight_mean_g": 25.75,
             "weight_sd_g": 0.3535533905932738, "cages": 2},
        ],
        "weight_differences": [{"first": "arm 1", "second": "arm 2", "smd": -1.2247448713915887}],
    }
)  # fmt: skip


def _old_database(url: str) -> str:
    """A schema-0005 database with one randomized study whose balance is stored in the clear."""
    engine = create_database_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        connection.execute(
            text(
                "INSERT INTO study (id, name, compound, dose_mg_per_kg, route, vehicle, volume_ml_per_kg,"
                " species, strain, created_at, created_by) VALUES (1, 'old', 'ketamine', 10, 'ip', 'saline',"
                " 10, 'mouse', 'C57BL/6J', '2026-01-01 00:00:00', 'past')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO randomization (study_id, method, strata, n_arms, n_animals, roster_sha256,"
                " library_version, balance, created_at, created_by) VALUES (1, 'stratified-block', 'sex', 2,"
                " 4, :roster, '0.1.0', :balance, '2026-01-02 00:00:00', 'keyholder')"
            ),
            {"roster": "ab" * 32, "balance": OLD_BALANCE},
        )
        connection.execute(
            text("INSERT INTO sealedkey (study_id, ciphertext, commitment) VALUES (1, '{}', :c)"),
            {"c": "cd" * 32},
        )
    engine.dispose()
    return url


def _file_bytes(path: Path) -> bytes:
    """The database file and whatever its write-ahead log still holds."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_the_clear_balance_is_removed_from_every_page_and_the_exposure_is_said(
    database_url: str, tmp_path: Path
) -> None:
    url = _old_database(database_url)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None
    if path is not None:
        assert str(OLD_SD).encode() in _file_bytes(path)

    engine = create_database_engine(url)
    upgrade_to_head(engine)
    columns = {column["name"] for column in inspect(engine).get_columns("randomization")}
    with engine.connect() as connection:
        flagged = connection.execute(text("SELECT balance_was_readable FROM randomization")).scalar_one()
        study_uuid = connection.execute(text("SELECT uuid FROM study")).scalar_one()
        key_link = connection.execute(text("SELECT randomization_id FROM sealedkey")).scalar_one()
    engine.dispose()
    assert "balance" not in columns and flagged
    assert len(study_uuid) == 36 and key_link == 1
    if path is not None:
        content = _file_bytes(path)
        assert str(OLD_SD).encode() not in content and b"weight_sd_g" not in content

    workspace = open_workspace(url)
    (event,) = [e for e in list_events(workspace, "old") if e.action == "randomization.balance_removed"]
    assert SEALED_BALANCE_RELEASE in json.loads(event.payload)["note"]
    workspace.engine.dispose()

    shown = CliRunner().invoke(app, ["--db", url, "study", "show", "old"], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert study_uuid in shown.stdout
    assert " ".join(BALANCE_WAS_READABLE.split()[:8]) in " ".join(shown.output.split())
    log = CliRunner().invoke(app, ["--db", url, "audit", "log", "--study", "old"], env={"COLUMNS": "300"})
    assert "randomization.balance_removed" in log.stdout
    workspace = open_workspace(url)
    report = write_study_report(workspace, "old", tmp_path / "report").files.markdown.read_text()
    workspace.engine.dispose()
    assert " ".join(BALANCE_WAS_READABLE.split()[:12]) in " ".join(report.replace("\\", "").split())
