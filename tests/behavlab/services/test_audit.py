"""The audit chain verifies, and pinpoints the exact event that was altered, unlinked or removed."""

import pytest
from sqlalchemy import text

from behavlab.errors import NotFoundError
from behavlab.services import StudySettings, Workspace, create_study, list_events, verify_chain


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
        connection.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": removed})
    report = verify_chain(three_studies)
    assert report.first_bad_event_id == _event_id_of(three_studies, "gamma")
    assert "link" in (report.problem or "")


def test_events_are_listed_per_study_and_latest_first_limited(three_studies: Workspace) -> None:
    assert [e.entity_id for e in list_events(three_studies)] == ["alpha", "beta", "gamma"]
    assert [e.entity_id for e in list_events(three_studies, limit=2)] == ["beta", "gamma"]
    with pytest.raises(NotFoundError, match="alpha, beta, gamma"):
        list_events(three_studies, study_name="delta")
