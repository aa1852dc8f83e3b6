"""Every table stores and returns what was put in it, with aware UTC times and enforced constraints."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.models import Animal, Arm, AuditEvent, CageAssignment, Study, Weight
from behavlab.services import Workspace
from behavlab.services.audit import record_event


def _study(**overrides: object) -> Study:
    fields: dict[str, object] = {
        "name": "round-trip",
        "compound": "ketamine",
        "dose_mg_per_kg": 10.0,
        "route": "ip",
        "vehicle": "saline",
        "volume_ml_per_kg": 10.0,
        "species": "mouse",
        "strain": "C57BL/6J",
        "created_by": "tester",
    }
    fields.update(overrides)
    return Study(**fields)


def test_study_arm_animal_weight_cage_round_trip(workspace: Workspace) -> None:
    plus_two = timezone(timedelta(hours=2))
    weighed = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=plus_two)
    with writing(workspace.engine) as session:
        study = _study()
        session.add(study)
        session.flush()
        session.add(Arm(study_id=study.id, position=1, name="vehicle", substance="saline", dose_mg_per_kg=0))
        mouse = Animal(
            study_id=study.id,
            label="M001",
            ear_tag="L1",
            sex="M",
            strain="C57BL/6J",
            date_of_birth=date(2026, 1, 5),
            source="JAX",
            notes="über-calm",
        )
        session.add(mouse)
        session.flush()
        session.add(Weight(animal_id=mouse.id, weight_g=24.75, measured_at=weighed, recorded_by="tester"))
        session.add(CageAssignment(animal_id=mouse.id, cage="C1", since=weighed))
        record_event(
            session, actor="tester", action=AuditAction.STUDY_CREATE, entity="study", study_id=study.id
        )

    with reading(workspace.engine) as session:
        stored = session.exec(select(Study)).one()
        assert (stored.name, stored.dose_mg_per_kg, stored.volume_ml_per_kg) == ("round-trip", 10.0, 10.0)
        assert stored.created_at.tzinfo is not None
        assert session.exec(select(Arm)).one().substance == "saline"
        animal = session.exec(select(Animal)).one()
        assert (animal.label, animal.date_of_birth, animal.notes) == ("M001", date(2026, 1, 5), "über-calm")
        weight = session.exec(select(Weight)).one()
        assert weight.weight_g == 24.75
        assert weight.measured_at == weighed
        assert weight.measured_at.utcoffset() == timedelta(0)
        assert session.exec(select(CageAssignment)).one().cage == "C1"


def test_audit_event_round_trip(workspace: Workspace) -> None:
    at = datetime(2026, 5, 2, 12, 0, 0, 1, tzinfo=UTC)
    with writing(workspace.engine) as session:
        session.add(
            AuditEvent(
                at=at,
                actor="tester",
                action="x.y",
                entity="thing",
                entity_id="7",
                payload='{"a":1}',
                prev_hash="0" * 64,
                hash="f" * 64,
            )
        )
    with reading(workspace.engine) as session:
        event = session.exec(select(AuditEvent)).one()
        assert (event.at, event.payload, event.hash) == (at, '{"a":1}', "f" * 64)


def test_naive_datetimes_are_refused(workspace: Workspace) -> None:
    with pytest.raises(StatementError, match="naive datetime"), writing(workspace.engine) as session:
        session.add(_study(created_at=datetime(2026, 1, 1, 12, 0)))


def test_study_names_are_unique(workspace: Workspace) -> None:
    with writing(workspace.engine) as session:
        session.add(_study())
        record_event(session, actor="tester", action=AuditAction.STUDY_CREATE, entity="study")
    with pytest.raises(IntegrityError), writing(workspace.engine) as session:
        session.add(_study())


def test_foreign_keys_are_enforced(workspace: Workspace) -> None:
    with pytest.raises(IntegrityError), writing(workspace.engine) as session:
        session.add(
            Animal(study_id=999, label="X", sex="F", strain="C57BL/6J", date_of_birth=date(2026, 1, 1))
        )
