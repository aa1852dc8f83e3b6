"""tamper evidence: row digests, who acted, an append-only audit log

Every audit event now records the OS account and host beside the declared actor, and the digests of the rows
it wrote (table `auditrow`, summed up in `auditevent.rows_sha256`, which the event's hash covers). Rows that
exist before this revision get one `audit.baseline` event recording their digests as found (changes made to
them before the upgrade cannot be told from here on). Only then are the triggers created that make
`auditevent` and `auditrow` append-only. A fresh database has no rows and gets no baseline event.

Downgrading drops the triggers, the table and the columns; events recorded meanwhile keep hashes that cover
the dropped columns, so the older release's `audit verify` reports them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from behavlab.db.append_only import create_append_only_guards, drop_append_only_guards
from behavlab.db.row_digests import AUDITED_TABLES
from behavlab.migrations.baseline import record_baseline

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("os_user", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("rows_sha256", sa.String(length=64), nullable=True))
    op.create_table(
        "auditrow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["auditevent.id"], name=op.f("fk_auditrow_event_id_auditevent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditrow")),
    )
    with op.batch_alter_table("auditrow", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditrow_event_id"), ["event_id"], unique=False)
    connection = op.get_bind()
    _record_baseline(connection)
    create_append_only_guards(connection)


def downgrade() -> None:
    """Revert this revision."""
    connection = op.get_bind()
    drop_append_only_guards(connection)
    with op.batch_alter_table("auditrow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditrow_event_id"))
    op.drop_table("auditrow")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_column("rows_sha256")
        batch_op.drop_column("host")
        batch_op.drop_column("os_user")


def _record_baseline(connection: sa.Connection) -> None:
    """One event recording the digest of every existing row of the audited tables, as the tables are now."""
    record_baseline(
        connection,
        AUDITED_TABLES,
        revision,
        "digests of every row of the audited tables as found at this upgrade; a change made before it cannot "
        "be told, every change after it is named by audit verify",
    )
