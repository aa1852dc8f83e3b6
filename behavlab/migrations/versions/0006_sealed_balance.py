"""sealed balance: study UUID, per-arm balance out of the clear, sealed keys per randomization

Before this revision `randomization.balance` kept each arm's n, sexes, weight mean and SD and cage count in
the clear, from which the allocation can be recovered. The column is overwritten, then dropped; the balance is
recomputed from the revealed allocation at unmasking. Each study so exposed gets an audit event saying so,
and its randomization row is flagged, so `study show` and the report can tell. Freed pages are reclaimed by
`behavlab.db.migrate` after the upgrade commits (SQLite `secure_delete` here, then VACUUM; PostgreSQL VACUUM
FULL), so the old values survive nowhere in the database file.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:20:00
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The release that stopped storing per-arm aggregates in the clear (quoted in the audit event).
SEALED_BALANCE_RELEASE = "0.2.0"
EXPOSED_ACTION = "randomization.balance_removed"
_GENESIS = "0" * 64

_audit = sa.table(
    "auditevent",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("study_id", sa.Integer()),
    sa.column("payload", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def upgrade() -> None:
    """Apply this revision."""
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
    _add_study_uuid(connection)
    exposed = connection.execute(
        sa.text(
            "SELECT r.study_id, s.name FROM randomization r JOIN study s ON s.id = r.study_id ORDER BY r.id"
        )
    ).all()
    connection.execute(sa.text("UPDATE randomization SET balance = ''"))
    with op.batch_alter_table("randomization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("draws_previewed", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("balance_was_readable", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_column("balance")
        batch_op.drop_constraint("uq_randomization_study_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_randomization_study_id_sequence"), ["study_id", "sequence"]
        )
        batch_op.create_index(batch_op.f("ix_randomization_study_id"), ["study_id"], unique=False)
    connection.execute(sa.text("UPDATE randomization SET balance_was_readable = :yes"), {"yes": True})
    with op.batch_alter_table("sealedkey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("randomization_id", sa.Integer(), nullable=True))
    connection.execute(
        sa.text(
            "UPDATE sealedkey SET randomization_id = "
            "(SELECT r.id FROM randomization r WHERE r.study_id = sealedkey.study_id)"
        )
    )
    with op.batch_alter_table("sealedkey", schema=None) as batch_op:
        batch_op.alter_column("randomization_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_sealedkey_study_id", type_="unique")
        batch_op.create_index(batch_op.f("ix_sealedkey_study_id"), ["study_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_sealedkey_randomization_id"), ["randomization_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_sealedkey_randomization_id_randomization"),
            "randomization",
            ["randomization_id"],
            ["id"],
        )
    for study_id, name in exposed:
        _record_exposure(connection, study_id, name)


def downgrade() -> None:
    """Revert this revision (the removed balance cannot come back: it is left empty)."""
    with op.batch_alter_table("sealedkey", schema=None) as batch_op:
        batch_op.drop_constraint("fk_sealedkey_randomization_id_randomization", type_="foreignkey")
        batch_op.drop_constraint("uq_sealedkey_randomization_id", type_="unique")
        batch_op.drop_index(batch_op.f("ix_sealedkey_study_id"))
        batch_op.create_unique_constraint("uq_sealedkey_study_id", ["study_id"])
        batch_op.drop_column("randomization_id")
    with op.batch_alter_table("randomization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_randomization_study_id"))
        batch_op.drop_constraint("uq_randomization_study_id_sequence", type_="unique")
        batch_op.create_unique_constraint("uq_randomization_study_id", ["study_id"])
        batch_op.add_column(sa.Column("balance", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_column("balance_was_readable")
        batch_op.drop_column("draws_previewed")
        batch_op.drop_column("sequence")
    op.drop_index(op.f("ix_study_uuid"), table_name="study")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("uuid")


def _add_study_uuid(connection: sa.Connection) -> None:
    """Add the UUID without rebuilding `study` (SQLite cannot drop a table other tables reference)."""
    op.add_column("study", sa.Column("uuid", sa.String(length=36), nullable=False, server_default=""))
    for (study_id,) in connection.execute(sa.text("SELECT id FROM study ORDER BY id")).all():
        connection.execute(
            sa.text("UPDATE study SET uuid = :uuid WHERE id = :id"),
            {"uuid": str(uuid.uuid4()), "id": study_id},
        )
    if connection.dialect.name != "sqlite":
        op.alter_column("study", "uuid", server_default=None)
    op.create_index(op.f("ix_study_uuid"), "study", ["uuid"], unique=True)


def _record_exposure(connection: sa.Connection, study_id: int, name: str) -> None:
    """Append the audit event saying this study's per-arm aggregates had been readable."""
    prev_hash = connection.execute(sa.text("SELECT hash FROM auditevent ORDER BY id DESC LIMIT 1")).scalar()
    at = datetime.now(UTC).replace(microsecond=0)
    payload = json.dumps(
        {
            "note": (
                "the per-arm balance report (n, sexes, body-weight mean and SD, cages per arm) of this "
                f"study was readable in the database before behavlab {SEALED_BALANCE_RELEASE}; it was "
                "removed, but anyone who read the database before then could have inferred the allocation"
            ),
            "removed_by_migration": revision,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    fields = {
        "prev_hash": prev_hash or _GENESIS,
        "at": at,
        "actor": f"behavlab migration {revision}",
        "action": EXPOSED_ACTION,
        "entity": "study",
        "entity_id": name,
        "study_id": study_id,
        "payload": payload,
    }
    material = json.dumps(
        [
            fields["prev_hash"],
            at.isoformat(),
            fields["actor"],
            fields["action"],
            fields["entity"],
            fields["entity_id"],
            study_id,
            payload,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    connection.execute(
        _audit.insert().values(**fields, hash=hashlib.sha256(material.encode("utf-8")).hexdigest())
    )
