"""The audit log: every state change is appended as an event whose SHA-256 covers the previous event's.

Each event also carries the digests of the rows its transaction wrote (`behavlab.db.row_digests`), and who
acted: the declared person and the operating-system account and host. `verify_chain` recomputes the chain
and checks every row of the audited tables against its latest event.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.config import host_name, os_account
from behavlab.db.row_digests import (
    AUDITED_TABLES,
    RowDigest,
    RowProblem,
    compare_rows,
    digest_written_rows,
    model_table,
    rows_digest,
    table_digests,
)
from behavlab.db.session import reading
from behavlab.models import AuditEvent, AuditRow, Study, utc_now
from behavlab.models.audit import HOST_MAX_CHARS, OS_USER_MAX_CHARS
from behavlab.services.lookup import find_study
from behavlab.services.workspace import Workspace

GENESIS_HASH = "0" * 64
#: The entity of an event about a study as a whole; such an event is keyed by the study's name.
STUDY_ENTITY = "study"


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the log and the data.

    The chain: how many events matched and the first that did not. The data: how many rows of the audited
    tables were checked, and each row that differs from its latest event (edited, inserted without an event,
    deleted).
    """

    events_checked: int
    first_bad_event_id: int | None
    problem: str | None
    rows_checked: int = 0
    row_problems: tuple[RowProblem, ...] = ()

    @property
    def chain_ok(self) -> bool:
        """Whether every event matched its hash and link."""
        return self.first_bad_event_id is None

    @property
    def ok(self) -> bool:
        """Whether every event matched and every audited row matches its latest event."""
        return self.chain_ok and not self.row_problems

    def describe(self) -> str:
        """The verdict as one line: what verified, or the broken event and every differing row by table."""
        if self.ok:
            return (
                f"audit chain intact: {self.events_checked} events verified, {self.rows_checked} rows match"
            )
        parts = []
        if not self.chain_ok:
            parts.append(
                f"audit chain broken at event {self.first_bad_event_id}: {self.problem} "
                f"({self.events_checked} events before it verified)"
            )
        if self.row_problems:
            parts.append(f"audited data differs from the log: {self.rows_summary()}")
        return "; ".join(parts)

    def rows_summary(self) -> str:
        """The differing rows grouped by table and kind, e.g. ``weight 3, 7 edited; animal 12 deleted``."""
        grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
        for problem in self.row_problems:
            grouped[(problem.table_name, problem.kind)].append(problem.row_id)
        return "; ".join(f"{table} {', '.join(ids)} {kind}" for (table, kind), ids in grouped.items())


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
    os_user: str | None = None,
    host: str | None = None,
    rows_sha256: str | None = None,
) -> str:
    """The SHA-256 of an event's fields and its predecessor's hash; any change to either changes it.

    The fields added later (OS account, host, digest of the rows written) enter the material only when set,
    so events recorded before they existed keep their hashes.
    """
    material: list[Any] = [prev_hash, at.isoformat(), actor, action, entity, entity_id, study_id, payload]
    added = {"os_user": os_user, "host": host, "rows_sha256": rows_sha256}
    if any(value is not None for value in added.values()):
        material.append({name: value for name, value in added.items() if value is not None})
    text = json.dumps(material, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    *,
    actor: str,
    action: AuditAction,
    entity: str,
    entity_id: str | int | None = None,
    study_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event in the caller's writer transaction, chained to the last event.

    The event covers every audited row the transaction wrote since its previous event: each is read back
    as stored and its digest recorded with the event.
    """
    written = digest_written_rows(session)
    last_hash = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    fields: dict[str, Any] = {
        "prev_hash": last_hash or GENESIS_HASH,
        "at": utc_now(),
        "actor": actor,
        "action": action.value,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "study_id": study_id,
        "payload": canonical_json(payload or {}),
        **acting_account(),
        "rows_sha256": rows_digest(written),
    }
    event = AuditEvent(**fields, hash=event_digest(**fields))
    session.add(event)
    session.flush()
    store_row_digests(session.connection(), event.id, written)
    return event


def record_study_event(
    session: Session, workspace: Workspace, study: Study, action: AuditAction, payload: dict[str, Any]
) -> AuditEvent:
    """Append an event about the study as a whole, by the workspace's actor (see `record_event`)."""
    return record_event(
        session,
        actor=workspace.actor,
        action=action,
        entity=STUDY_ENTITY,
        entity_id=study.name,
        study_id=study.id,
        payload=payload,
    )


def acting_account() -> dict[str, str]:
    """The event fields saying who acted beyond the declared actor: the OS account and the host."""
    return {"os_user": os_account()[:OS_USER_MAX_CHARS], "host": host_name()[:HOST_MAX_CHARS]}


def store_row_digests(connection: Connection, event_id: int | None, rows: Sequence[RowDigest]) -> None:
    """Insert the digests recorded with an event (its `rows_sha256` must already cover them)."""
    if event_id is None:
        raise ValueError("row digests belong to a stored event; flush the event first")
    if rows:
        connection.execute(
            AuditRow.__table__.insert(),  # type: ignore[attr-defined]
            [
                {"event_id": event_id, "table_name": r.table_name, "row_id": r.row_id, "sha256": r.sha256}
                for r in rows
            ],
        )


def verify_chain(workspace: Workspace) -> ChainReport:
    """Recompute every event's hash in order, then check every audited row against its latest event.

    Reports the first event whose link, content or recorded row digests do not match, and every row of an
    audited table whose stored content differs from the digest its latest event recorded, that no event
    recorded, or that an event recorded and that is gone. Reads one consistent snapshot of the database.
    """
    with reading(workspace.engine) as session:
        if workspace.engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        recorded = _recorded_rows(session)
        checked, bad_id, problem = _verify_events(session, recorded)
        connection = session.connection()
        latest: dict[str, dict[str, str | None]] = defaultdict(dict)
        events = set(session.exec(select(AuditEvent.id)))
        for event_id in sorted(recorded.keys() & events):
            for row in recorded[event_id]:
                latest[row.table_name][row.row_id] = row.sha256
        rows_checked = 0
        problems: list[RowProblem] = []
        for table_name in AUDITED_TABLES:
            actual = table_digests(connection, model_table(table_name))
            rows_checked += len(actual)
            problems += compare_rows(table_name, latest.get(table_name, {}), actual)
    return ChainReport(checked, bad_id, problem, rows_checked, tuple(problems))


def changed_rows(session: Session, table_name: str, row_ids: Sequence[str] | None = None) -> list[RowProblem]:
    """The rows of one audited table (all, or only `row_ids`) that differ from their latest recorded digest.

    A quick check of the rows a step relies on (e.g. a study's allocation before unmasking); it trusts the
    recorded digests, which only `verify_chain` proves.
    """
    query = select(AuditRow.row_id, AuditRow.sha256).where(AuditRow.table_name == table_name)
    if row_ids is not None:
        query = query.where(col(AuditRow.row_id).in_(list(row_ids)))
    latest = dict(session.exec(query.order_by(col(AuditRow.event_id), col(AuditRow.id))).all())
    actual = table_digests(session.connection(), model_table(table_name), row_ids)
    return compare_rows(table_name, latest, actual)


def _recorded_rows(session: Session) -> dict[int, list[RowDigest]]:
    query = select(AuditRow.event_id, AuditRow.table_name, AuditRow.row_id, AuditRow.sha256).order_by(
        col(AuditRow.event_id), col(AuditRow.id)
    )
    recorded: dict[int, list[RowDigest]] = defaultdict(list)
    for event_id, table_name, row_id, sha256 in session.exec(query):
        recorded[event_id].append(RowDigest(table_name, row_id, sha256))
    return recorded


def _verify_events(
    session: Session, recorded: dict[int, list[RowDigest]]
) -> tuple[int, int | None, str | None]:
    checked = 0
    expected_prev = GENESIS_HASH
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        if event.prev_hash != expected_prev:
            return checked, event.id, "its link to the previous event is broken"
        recomputed = event_digest(
            prev_hash=event.prev_hash,
            at=event.at,
            actor=event.actor,
            action=event.action,
            entity=event.entity,
            entity_id=event.entity_id,
            study_id=event.study_id,
            payload=event.payload,
            os_user=event.os_user,
            host=event.host,
            rows_sha256=event.rows_sha256,
        )
        if recomputed != event.hash:
            return checked, event.id, "its content does not match its hash"
        rows = recorded.get(event.id or 0, [])
        if (event.rows_sha256 is None and rows) or (
            event.rows_sha256 is not None and rows_digest(rows) != event.rows_sha256
        ):
            return checked, event.id, "the row digests stored with it do not match its hash"
        checked += 1
        expected_prev = event.hash
    return checked, None, None


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
