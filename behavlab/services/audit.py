"""The audit log: every state change is appended as an event whose SHA-256 covers the previous event's."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from behavlab.db.session import reading
from behavlab.models import AuditEvent, utc_now
from behavlab.services.lookup import find_study
from behavlab.services.workspace import Workspace

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    """The outcome of recomputing the hash chain: how many events matched and the first that did not."""

    events_checked: int
    first_bad_event_id: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """Whether every event matched."""
        return self.first_bad_event_id is None


def canonical_json(payload: dict[str, Any]) -> str:
    """The one JSON text of a payload that is hashed and stored: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_digest(
    *,
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    study_id: int | None,
    payload: str,
) -> str:
    """The SHA-256 of an event's fields and its predecessor's hash; any change to either changes it."""
    material = json.dumps(
        [prev_hash, at.isoformat(), actor, action, entity, entity_id, study_id, payload],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    study_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event in the caller's writer transaction, chained to the last event."""
    last_hash = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    fields: dict[str, Any] = {
        "prev_hash": last_hash or GENESIS_HASH,
        "at": utc_now(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "study_id": study_id,
        "payload": canonical_json(payload or {}),
    }
    event = AuditEvent(**fields, hash=event_digest(**fields))
    session.add(event)
    session.flush()
    return event


def verify_chain(workspace: Workspace) -> ChainReport:
    """Recompute every event's hash in order; report the first event whose link or content does not match."""
    checked = 0
    expected_prev = GENESIS_HASH
    with reading(workspace.engine) as session:
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "its link to the previous event is broken")
            recomputed = event_digest(
                prev_hash=event.prev_hash,
                at=event.at,
                actor=event.actor,
                action=event.action,
                entity=event.entity,
                entity_id=event.entity_id,
                study_id=event.study_id,
                payload=event.payload,
            )
            if recomputed != event.hash:
                return ChainReport(checked, event.id, "its content does not match its hash")
            checked += 1
            expected_prev = event.hash
    return ChainReport(checked, None, None)


def list_events(
    workspace: Workspace, study_name: str | None = None, limit: int | None = None
) -> Sequence[AuditEvent]:
    """Events in the order they happened, optionally only one study's, optionally only the latest `limit`."""
    with reading(workspace.engine) as session:
        query = select(AuditEvent)
        if study_name is not None:
            study = find_study(session, study_name)
            query = query.where(AuditEvent.study_id == study.id)
        if limit is not None:
            latest = session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()
            return list(reversed(latest))
        return session.exec(query.order_by(col(AuditEvent.id))).all()
