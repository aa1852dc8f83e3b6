"""What an attacker with write access to the database file (or the owner's role) does to the audit log.

Shared by the tests that prove such tampering is caught: the append-only triggers are dropped first, as
anyone holding the file or the owner's rights could.
"""

import inspect

import pytest
from sqlalchemy import Connection, text
from sqlmodel import Session, col, select

from behavlab.models import AuditEvent
from behavlab.services import UnsealError, Workspace, unblind_animal
from behavlab.services.audit import event_digest
from tests.behavlab.randomized_study import RandomizedStudy


def drop_audit_triggers(connection: Connection) -> None:
    """What an attacker with the database file or owner rights does first: remove the append-only triggers."""
    if connection.dialect.name == "sqlite":
        names = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'auditevent'")
        ).scalars()
        for name in list(names):
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
    else:
        names = connection.execute(
            text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'auditevent'::regclass AND NOT tgisinternal")
        ).scalars()
        for name in list(names):
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}" ON auditevent'))


def delete_last_events(workspace: Workspace, how_many: int) -> list[str]:
    """Delete the latest events with raw SQL; returns their actions."""
    with workspace.engine.begin() as connection:
        drop_audit_triggers(connection)
        rows = connection.execute(
            text("SELECT id, action FROM auditevent ORDER BY id DESC LIMIT :n"), {"n": how_many}
        ).all()
        for row in rows:
            connection.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": row.id})
    return [row.action for row in rows]


def rewrite_and_rechain(workspace: Workspace, event_id: int, payload: str) -> None:
    """Replace one event's payload and recompute its hash and every later one, as a careful attacker would."""
    fields = list(inspect.signature(event_digest).parameters)
    with Session(workspace.engine) as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) >= event_id).order_by(col(AuditEvent.id))
        ).all()
        values = [{name: getattr(event, name) for name in fields} | {"id": event.id} for event in events]
    values[0]["payload"] = payload
    prev_hash = values[0]["prev_hash"]
    with workspace.engine.begin() as connection:
        drop_audit_triggers(connection)
        for value in values:
            value["prev_hash"] = prev_hash
            prev_hash = event_digest(**{name: value[name] for name in fields})
            connection.execute(
                text(
                    "UPDATE auditevent SET payload = :payload, prev_hash = :prev, hash = :hash WHERE id = :id"
                ),
                {
                    "payload": value["payload"],
                    "prev": value["prev_hash"],
                    "hash": prev_hash,
                    "id": value["id"],
                },
            )


def refuse_three_unseals(workspace: Workspace, randomized: RandomizedStudy) -> None:
    code = sorted(randomized.codes.values())[0]
    for _ in range(3):
        with pytest.raises(UnsealError):
            unblind_animal(workspace, randomized.name, code, "welfare", "not the passphrase at all")
