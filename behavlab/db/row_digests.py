"""Row digests: every audited write records a SHA-256 of each row it left, so the data is tamper-evident.

A writer session (`behavlab.db.session.writing`) tracks the rows its flushes insert, update or delete in the
audited tables. `record_event` (services.audit) takes those rows, reads each back from the database and
stores its digest with the event (table `auditrow`); the event's hash covers the digests. A transaction that
writes an audited row after its last audit event is refused at commit, and `audit verify` compares every row
of every audited table with the digest of its latest event, so a row changed by anything other than behavlab
is named.

The canonical row text is a stored format: every digest ever recorded depends on it, so it is versioned
(`ROW_DIGEST_VERSION`) and must never change in place. Columns holding NULL are left out of it, so a
migration that adds a nullable column leaves every digest valid; a migration that drops a column, or fills a
new one for existing rows, must record a new baseline for that table (`table_digests` with the table as it
then is, appended as an audit event) or `audit verify` names every row of it.

Every model table is either in `AUDITED_TABLES` or in `EXEMPT_TABLES` with its reason; writing a row of a
table in neither is refused, and a test fails while any model table is in neither.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlmodel import SQLModel

from behavlab.models import load_all

ROW_DIGEST_VERSION = "behavlab-row-v1"

#: Tables whose every row is covered by the digest recorded with its latest audit event.
AUDITED_TABLES: tuple[str, ...] = (
    "study",
    "arm",
    "cohort",
    "animal",
    "weight",
    "cageassignment",
    "randomization",
    "allocation",
    "sealedkey",
    "doseevent",
    "exclusion",
    "unmaskevent",
    "revealedallocation",
    "fstsession",
    "fstbenchmark",
    "immobilityscore",
    "sptperiod",
    "sptreading",
    "sptsheetfile",
    "amendment",
    "protocol",
    "voiding",
)

#: Model tables whose rows carry no row digest, each with the reason it is protected otherwise.
EXEMPT_TABLES: Mapping[str, str] = {
    "auditevent": (
        "the audit log itself: each event's hash covers its content and the previous event's hash, and the "
        "database refuses UPDATE and DELETE on it"
    ),
    "auditrow": (
        "the row digests themselves: each event's hash covers the digests recorded with it (rows_sha256), "
        "and the database refuses UPDATE and DELETE on it"
    ),
}

#: Kinds of difference `compare_rows` names.
EDITED = "edited"
INSERTED = "inserted without an event"
DELETED = "deleted"

_PENDING = "behavlab_unaudited_rows"
_IN_CHUNK = 500


class UnauditedWriteError(RuntimeError):
    """A writer transaction changed audited rows that no audit event covers (a programming error)."""


@dataclass(frozen=True)
class RowDigest:
    """One row as an audit event recorded it: table, primary key as text, and its digest (None: deleted)."""

    table_name: str
    row_id: str
    sha256: str | None


@dataclass(frozen=True)
class RowProblem:
    """One row of an audited table that differs from its latest audit event."""

    table_name: str
    row_id: str
    kind: str

    def __str__(self) -> str:
        return f"{self.table_name} {self.row_id} {self.kind}"


def canonical_value(value: Any) -> str:
    """One column value as type-tagged text that reads back the same from SQLite and PostgreSQL.

    Times are aware UTC with microseconds (a naive time is read as UTC, as SQLite hands them back), floats
    their shortest round-tripping ``repr``, bytes hexadecimal.
    """
    if isinstance(value, bool):
        return f"b:{int(value)}"
    if isinstance(value, int):
        return f"i:{value}"
    if isinstance(value, float):
        return f"f:{value!r}"
    if isinstance(value, str):
        return f"s:{value}"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"x:{bytes(value).hex()}"
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return f"t:{aware:%Y-%m-%dT%H:%M:%S.%fZ}"
    if isinstance(value, date):
        return f"d:{value.isoformat()}"
    if isinstance(value, time):
        return f"h:{value.isoformat(timespec='microseconds')}"
    if isinstance(value, uuid.UUID):
        return f"u:{value}"
    raise TypeError(f"no canonical text for a {type(value).__name__} column value; add it to canonical_value")


def row_digest(table_name: str, row_id: str, values: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of one row: its table, primary key and every non-NULL column value."""
    columns = {name: canonical_value(value) for name, value in values.items() if value is not None}
    text = json.dumps(
        [ROW_DIGEST_VERSION, table_name, row_id, columns],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rows_digest(rows: Iterable[RowDigest]) -> str:
    """The SHA-256 (hex) of the row digests recorded with one event, in a canonical order."""
    entries = sorted((row.table_name, row.row_id, row.sha256) for row in rows)
    text = json.dumps([ROW_DIGEST_VERSION, entries], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_table(table_name: str) -> Table:
    """The application's declared table of that name."""
    load_all()
    return SQLModel.metadata.tables[table_name]


def table_digests(
    connection: Connection, table: Table, row_ids: Sequence[str] | None = None
) -> dict[str, str]:
    """Digest every row of `table` as stored now (or only those rows): row id -> SHA-256.

    Works from the model's table or one reflected by a migration: values are canonicalised by what they are,
    not by the declared column type, so both give the same digests.
    """
    key = _primary_key_column(table)
    key_value = key.type.python_type
    found: dict[str, str] = {}
    statements = (
        [select(table)]
        if row_ids is None
        else [
            select(table).where(key.in_([key_value(i) for i in chunk]))
            for chunk in _chunks(list(row_ids), _IN_CHUNK)
        ]
    )
    for statement in statements:
        for row in connection.execute(statement).mappings():
            row_id = str(row[key.name])
            found[row_id] = row_digest(table.name, row_id, {str(name): value for name, value in row.items()})
    return found


def compare_rows(
    table_name: str, expected: Mapping[str, str | None], actual: Mapping[str, str]
) -> list[RowProblem]:
    """Each row of one table that differs from its latest recorded digest (None recorded: row deleted)."""
    problems = [
        RowProblem(table_name, row_id, EDITED if expected.get(row_id) is not None else INSERTED)
        for row_id, digest in actual.items()
        if expected.get(row_id) != digest
    ]
    problems += [
        RowProblem(table_name, row_id, DELETED)
        for row_id, digest in expected.items()
        if digest is not None and row_id not in actual
    ]
    return sorted(problems, key=lambda p: (_id_order(p.row_id), p.kind))


def track_writes(session: Session) -> None:
    """Have `session` remember every audited row its flushes write, until `digest_written_rows` takes them."""
    session.info[_PENDING] = {}
    event.listen(session, "after_flush", _remember_flushed_rows)
    event.listen(session, "do_orm_execute", _refuse_bulk_writes)


def is_tracked(session: Session) -> bool:
    """Whether `session` is a writer session that tracks its audited rows."""
    return _PENDING in session.info


def digest_written_rows(session: Session) -> list[RowDigest]:
    """Flush, then digest every audited row written since the last call, as now stored; forget them.

    A row that no longer exists (deleted in this transaction) gets a None digest.
    """
    if not is_tracked(session):
        raise UnauditedWriteError(
            "audit events are recorded only in a writer session (behavlab.db.session.writing), which tracks "
            "the rows each event covers"
        )
    session.flush()
    pending: dict[str, set[str]] = session.info[_PENDING]
    session.info[_PENDING] = {}
    connection = session.connection()
    written: list[RowDigest] = []
    for table_name in sorted(pending):
        row_ids = sorted(pending[table_name], key=_id_order)
        stored = table_digests(connection, model_table(table_name), row_ids)
        written += [RowDigest(table_name, row_id, stored.get(row_id)) for row_id in row_ids]
    return written


def require_all_audited(session: Session) -> None:
    """Refuse to commit a writer transaction whose audited writes are not all covered by an audit event."""
    session.flush()
    pending: dict[str, set[str]] = session.info.get(_PENDING, {})
    uncovered = {name: ids for name, ids in pending.items() if ids}
    if uncovered:
        listed = "; ".join(
            f"{name} {', '.join(sorted(ids, key=_id_order))}" for name, ids in sorted(uncovered.items())
        )
        raise UnauditedWriteError(
            f"rows written after the transaction's last audit event: {listed}; every write must be followed "
            "by record_event in the same transaction"
        )


def _remember_flushed_rows(session: Session, _flush_context: UOWTransaction) -> None:
    pending: dict[str, set[str]] = session.info[_PENDING]
    for instance in chain(session.new, session.dirty, session.deleted):
        state = inspect(instance)
        table = state.mapper.local_table
        if not isinstance(table, Table) or not _is_audited(table.name):
            continue
        key = state.mapper.primary_key_from_instance(instance)
        if len(key) != 1 or key[0] is None:
            raise UnauditedWriteError(f"a {table.name} row has no single primary key value to audit it by")
        pending.setdefault(table.name, set()).add(str(key[0]))


def _refuse_bulk_writes(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    tables = {table.name for table in _statement_tables(state)}
    audited = sorted(name for name in tables if _is_audited(name))
    if audited:
        raise UnauditedWriteError(
            f"bulk INSERT/UPDATE/DELETE on audited table(s) {', '.join(audited)} bypasses row tracking; "
            "add or change the rows through the session instead"
        )


def _statement_tables(state: ORMExecuteState) -> Iterator[Table]:
    table = getattr(state.statement, "table", None)
    if isinstance(table, Table):
        yield table


def _is_audited(table_name: str) -> bool:
    if table_name in EXEMPT_TABLES:
        return False
    if table_name in AUDITED_TABLES:
        return True
    raise UnauditedWriteError(
        f"table {table_name!r} is neither audited nor exempt: add it to AUDITED_TABLES (or to EXEMPT_TABLES "
        "with the reason) in behavlab/db/row_digests.py"
    )


def _primary_key_column(table: Table) -> Any:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise TypeError(f"table {table.name!r} needs a single-column primary key to carry row digests")
    return columns[0]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _id_order(row_id: str) -> tuple[int, str]:
    return (int(row_id), "") if row_id.isdigit() else (0, row_id)
