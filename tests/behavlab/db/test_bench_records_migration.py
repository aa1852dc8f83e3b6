"""Migration 0008 on a database with data: each study gets the syringe defaults, each dose its volume given
per kg and deviation, the rows so filled a baseline, and the whole log still verifies."""

import json

import pytest
from alembic import command
from sqlalchemy import text

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import alembic_config, head_revision, upgrade_to_head
from behavlab.services import Workspace, list_events, verify_chain
from tests.behavlab.db.test_tamper_evidence_migration import ROWS_AT_0005

DOSE_AT_0007 = (
    "INSERT INTO doseevent (id, animal_id, weight_id, weight_g, volume_ml, volume_ml_per_kg, dosed_at,"
    " operator, recorded_at) VALUES (1, 1, 1, 24.9, 0.24, 10, '2026-01-05 09:00:00+00:00', 'past',"
    " '2026-01-05 09:00:00+00:00')"
)


def test_old_studies_and_doses_are_filled_and_still_verify(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        for statement in ROWS_AT_0005:
            connection.execute(text(statement), {"sha": "ab" * 32, "yes": True, "no": False})
        command.upgrade(config, "0007")
        connection.execute(text(DOSE_AT_0007))
    assert upgrade_to_head(engine).after == head_revision()
    workspace = Workspace(engine=engine, actor="tester", location="test")

    report = verify_chain(workspace)
    assert report.ok, report.describe()
    baseline = list_events(workspace)[-1]
    assert baseline.actor == "behavlab migration 0008"
    assert json.loads(baseline.payload)["rows"] == {"study": 1, "doseevent": 1}
    with engine.connect() as connection:
        study = connection.execute(
            text("SELECT syringe_graduation_ml, volume_tolerance_pct, weight_precision_g FROM study")
        ).one()
        dose = connection.execute(text("SELECT given_ml_per_kg, deviation_pct FROM doseevent")).one()
    assert tuple(study) == (0.01, 5.0, 0.1)
    assert dose.given_ml_per_kg == pytest.approx(0.24 / 0.0249)
    assert dose.deviation_pct == pytest.approx((0.24 / 0.249 - 1) * 100)  # -3.6 %
    engine.dispose()
