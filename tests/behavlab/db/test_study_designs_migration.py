"""Migration 0010 on a two-arm database: arms, animals, randomizations and protocols gain nullable design
columns left empty and a `cohort` table: no row's digest changes, no baseline is needed, the log verifies."""

from alembic import command
from sqlalchemy import text

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import alembic_config, upgrade_to_head
from behavlab.services import Workspace, list_events, verify_chain
from tests.behavlab.db.test_tamper_evidence_migration import ROWS_AT_0005


def test_two_arm_rows_keep_their_digests_and_gain_empty_design_columns(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        for statement in ROWS_AT_0005:
            connection.execute(text(statement), {"sha": "ab" * 32, "yes": True, "no": False})
        command.upgrade(config, "0009")
    assert upgrade_to_head(engine).before == "0009"
    workspace = Workspace(engine=engine, actor="tester", location="test")

    report = verify_chain(workspace)
    assert report.ok, report.describe()
    baselines = [event.actor for event in list_events(workspace) if event.action == "audit.baseline"]
    assert "behavlab migration 0010" not in baselines
    with engine.connect() as connection:
        arms = connection.execute(text("SELECT stock_mg_per_ml, is_reference FROM arm ORDER BY id")).all()
        animals = connection.execute(text("SELECT factor_level, cohort_id FROM animal")).all()
        drawn = connection.execute(
            text("SELECT cohort_id, protocol_id, protocol_waived FROM randomization")
        ).one()
        factor = connection.execute(text("SELECT factor_name FROM study")).scalar_one()
        cohorts = connection.execute(text("SELECT count(*) FROM cohort")).scalar_one()
    assert [tuple(arm) for arm in arms] == [(None, None), (None, None)]
    assert {tuple(animal) for animal in animals} == {(None, None)}
    assert tuple(drawn) == (None, None, None) and factor is None and cohorts == 0
    engine.dispose()
