"""A migration's audit event recording the digests of audited rows as it leaves them.

A migration that fills a new column of existing rows changes their digests; without a new baseline
`audit verify` would name every such row as edited (`behavlab.db.row_digests`).
"""

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa

from behavlab.db.row_digests import RowDigest, rows_digest, table_digests
from behavlab.services.audit import (
    GENESIS_HASH,
    acting_account,
    canonical_json,
    event_digest,
    store_row_digests,
)

BASELINE_ACTION = "audit.baseline"

_audit = sa.table(
    "auditevent",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("study_id", sa.Integer()),
    sa.column("payload", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
    sa.column("os_user", sa.String()),
    sa.column("host", sa.String()),
    sa.column("rows_sha256", sa.String()),
)


def record_baseline(connection: sa.Connection, tables: Iterable[str], revision: str, note: str) -> None:
    """Append one event with the digest of every row of `tables` (those that exist) as they are now.

    Nothing is appended when the tables hold no rows (a fresh database).
    """
    present = set(sa.inspect(connection).get_table_names())
    rows: list[RowDigest] = []
    counts: dict[str, int] = {}
    for name in tables:
        if name not in present:
            continue
        table = sa.Table(name, sa.MetaData(), autoload_with=connection)
        digests = table_digests(connection, table)
        counts[name] = len(digests)
        rows += [RowDigest(name, row_id, sha256) for row_id, sha256 in digests.items()]
    if not rows:
        return
    prev_hash = connection.execute(sa.text("SELECT hash FROM auditevent ORDER BY id DESC LIMIT 1")).scalar()
    fields = {
        "prev_hash": prev_hash or GENESIS_HASH,
        "at": datetime.now(UTC),
        "actor": f"behavlab migration {revision}",
        "action": BASELINE_ACTION,
        "entity": "database",
        "entity_id": None,
        "study_id": None,
        "payload": canonical_json({"note": note, "rows": counts}),
        **acting_account(),
        "rows_sha256": rows_digest(rows),
    }
    event_hash = event_digest(**fields)
    connection.execute(_audit.insert().values(**fields, hash=event_hash))
    event_id = connection.execute(sa.select(_audit.c.id).where(_audit.c.hash == event_hash)).scalar_one()
    store_row_digests(connection, event_id, rows)
