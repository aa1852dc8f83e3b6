"""The audit chain verifies, and pinpoints the exact event that was altered, unlinked or removed.

The database refuses UPDATE and DELETE on the log, so each tampering test first drops the append-only
triggers, as someone holding the SQLite file or the PostgreSQL owner's rights could.
"""

import hashlib
import json
import socket
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from behavlab.config import os_account
from behavlab.db.append_only import drop_append_only_guards
from behavlab.errors import NotFoundError
from behavlab.services import StudySettings, Workspace, create_study, list_events, verify_chain
from behavlab.services.audit import event_digest


@pytest.fixture
def three_studies(workspace: Workspace) -> Workspace:
    for name in ("alpha", "beta", "gamma"):
        create_study(workspace, StudySettings(name=name))
    return workspace


def _event_id_of(workspace: Workspace, study: str) -> int:
    (event,) = list_events(workspace, study_name=study)
    assert event.id is not None
    return event.id


def test_an_untouched_chain_verifies(three_studies: Workspace) -> None:
    report = verify_chain(three_studies)
    assert report.ok
    assert report.events_checked == 3


def test_each_event_records_actor_action_and_payload(three_studies: Workspace) -> None:
    (event,) = list_events(three_studies, study_name="beta")
    assert (event.actor, event.action, event.entity, event.entity_id) == (
        "tester",
        "study.create",
        "study",
        "beta",
    )
    assert '"compound":"ketamine"' in event.payload
    assert event.at.utcoffset() is not None


def test_altering_one_payload_with_raw_sql_is_caught_at_that_event(three_studies: Workspace) -> None:
    tampered = _event_id_of(three_studies, "beta")
    with three_studies.engine.begin() as connection:
        drop_append_only_guards(connection)
        connection.execute(
            text("UPDATE auditevent SET payload = :p WHERE id = :id"),
            {"p": '{"compound":"saline"}', "id": tampered},
        )
    report = verify_chain(three_studies)
    assert report.first_bad_event_id == tampered
    assert report.events_checked == 1
    assert "content" in (report.problem or "")


def test_deleting_an_event_breaks_the_link_of_the_next(three_studies: Workspace) -> None:
    removed = _event_id_of(three_studies, "beta")
    with three_studies.engine.begin() as connection:
        drop_append_only_guards(connection)
        connection.execute(text("DELETE FROM auditrow WHERE event_id = :id"), {"id": removed})
        connection.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": removed})
    report = verify_chain(three_studies)
    assert report.first_bad_event_id == _event_id_of(three_studies, "gamma")
    assert "link" in (report.problem or "")
    assert {p.table_name for p in report.row_problems} == {"study", "arm"}
    assert {p.kind for p in report.row_problems} == {"inserted without an event"}


def test_events_are_listed_per_study_and_latest_first_limited(three_studies: Workspace) -> None:
    assert [e.entity_id for e in list_events(three_studies)] == ["alpha", "beta", "gamma"]
    assert [e.entity_id for e in list_events(three_studies, limit=2)] == ["beta", "gamma"]
    with pytest.raises(NotFoundError, match="alpha, beta, gamma"):
        list_events(three_studies, study_name="delta")


def test_each_event_records_the_os_account_and_host_beside_the_declared_actor(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    running_as = os_account()
    create_study(workspace, StudySettings(name="own"))
    monkeypatch.setenv("LOGNAME", "bench-account")
    create_study(workspace, StudySettings(name="other"))
    first, second = list_events(workspace)
    assert (first.actor, first.os_user, first.host) == ("tester", running_as, socket.gethostname())
    assert (second.actor, second.os_user) == ("tester", "bench-account")
    assert verify_chain(workspace).ok


def test_the_os_account_is_covered_by_the_event_hash(three_studies: Workspace) -> None:
    tampered = _event_id_of(three_studies, "beta")
    with three_studies.engine.begin() as connection:
        drop_append_only_guards(connection)
        connection.execute(text("UPDATE auditevent SET os_user = 'tester' WHERE id = :id"), {"id": tampered})
    report = verify_chain(three_studies)
    assert (report.first_bad_event_id, report.problem) == (tampered, "its content does not match its hash")


def test_events_recorded_before_the_who_acted_fields_keep_their_hash() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    fields = ["0" * 64, at.isoformat(), "past", "study.create", "study", "old", 1, '{"a":1}']
    before = hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()
    old_event = {
        "prev_hash": "0" * 64,
        "at": at,
        "actor": "past",
        "action": "study.create",
        "entity": "study",
        "entity_id": "old",
        "study_id": 1,
        "payload": '{"a":1}',
    }
    assert before == event_digest(**old_event)
    assert before != event_digest(**old_event, os_user="past")
