"""Migration 0009 on a database with FST data: sessions and scores gain nullable start columns left empty, so
no row's digest changes, no baseline is needed and the whole log still verifies."""

from alembic import command
from sqlalchemy import text

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import alembic_config, head_revision, upgrade_to_head
from behavlab.services import Workspace, list_events, verify_chain
from tests.behavlab.db.test_tamper_evidence_migration import ROWS_AT_0005

FST_AT_0005 = [
    "INSERT INTO fstsession (id, study_id, animal_id, video_path, video_sha256, roi_label, tested_at,"
    " warnings, recorded_by, recorded_at) VALUES (1, 1, 1, '/videos/a.mp4', :sha, 'whole frame',"
    " '2026-01-05 10:00:00+00:00', '[]', 'past', '2026-01-05 10:30:00+00:00')",
    "INSERT INTO immobilityscore (id, session_id, method, parameters, parameters_sha256, software_version,"
    " scorer, immobility_s, latency_s, n_bouts, window_start_s, window_end_s, per_minute, time_sampling,"
    " warnings, scored_at) VALUES (1, 1, 'motion', '{}', :sha, '0.1.0', 'past', 120.5, 30.0, 9, 120, 360,"
    " '[]', '{}', '[]', '2026-01-05 11:00:00+00:00')",
]


def test_old_sessions_and_scores_keep_their_digests_and_count_from_the_video_start(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        for statement in [*ROWS_AT_0005, *FST_AT_0005]:
            connection.execute(text(statement), {"sha": "ab" * 32, "yes": True, "no": False})
        command.upgrade(config, "0008")
    assert upgrade_to_head(engine).before == "0008"
    assert head_revision() >= "0009"
    workspace = Workspace(engine=engine, actor="tester", location="test")

    report = verify_chain(workspace)
    assert report.ok, report.describe()
    baselines = [event.actor for event in list_events(workspace) if event.action == "audit.baseline"]
    assert "behavlab migration 0009" not in baselines
    with engine.connect() as connection:
        session = connection.execute(text("SELECT start_s, start_source, start_basis FROM fstsession")).one()
        score = connection.execute(
            text("SELECT test_start_s, start_source, start_confidence FROM immobilityscore")
        ).one()
        marks = connection.execute(text("SELECT count(*) FROM fstbenchmark")).scalar_one()
    assert tuple(session) == (None, None, None)
    assert tuple(score) == (None, None, None)
    assert marks == 0
    engine.dispose()
