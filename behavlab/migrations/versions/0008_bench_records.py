"""bench records: syringe graduation and volume tolerance, the volume given per kg, a declared protocol, voids

Each study gets its syringe graduation (0.01 mL), volume tolerance (5 % of the computed volume) and weight
precision (0.1 g), the defaults of earlier releases. Each recorded dose gets the volume given per kg of the
weight used and its deviation from the planned volume, computed from what it already stored; the study and
dose rows so filled get one baseline audit event (`behavlab.migrations.baseline`). Two tables are new:
`protocol` (the declared primary outcome and its scoring method, versioned) and `voiding` (records voided
with a reason, kept and left out of computations).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from behavlab.migrations.baseline import record_baseline

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_dose = sa.table(
    "doseevent",
    sa.column("volume_ml", sa.Float()),
    sa.column("weight_g", sa.Float()),
    sa.column("volume_ml_per_kg", sa.Float()),
    sa.column("given_ml_per_kg", sa.Float()),
    sa.column("deviation_pct", sa.Float()),
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("syringe_graduation_ml", sa.Float(), server_default="0.01", nullable=False)
        )
        batch_op.add_column(sa.Column("volume_tolerance_pct", sa.Float(), server_default="5", nullable=False))
        batch_op.add_column(sa.Column("weight_precision_g", sa.Float(), server_default="0.1", nullable=False))
    with op.batch_alter_table("doseevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_ml_per_kg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("deviation_pct", sa.Float(), nullable=True))
    given = _dose.c.volume_ml / (_dose.c.weight_g / 1000.0)
    op.execute(
        _dose.update().values(
            given_ml_per_kg=given, deviation_pct=(given / _dose.c.volume_ml_per_kg - 1.0) * 100.0
        )
    )
    with op.batch_alter_table("doseevent", schema=None) as batch_op:
        batch_op.alter_column("given_ml_per_kg", existing_type=sa.Float(), nullable=False)
        batch_op.alter_column("deviation_pct", existing_type=sa.Float(), nullable=False)
    _create_protocol()
    _create_voiding()
    record_baseline(
        op.get_bind(),
        ("study", "doseevent"),
        revision,
        "digests of every study and dose row after this upgrade filled their new columns (syringe "
        "graduation, volume tolerance, weight precision; volume given per kg and its deviation)",
    )


def _create_protocol() -> None:
    op.create_table(
        "protocol",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("primary_outcome", sa.String(length=60), nullable=False),
        sa.Column("primary_method", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_protocol_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol")),
        sa.UniqueConstraint("study_id", "version", name=op.f("uq_protocol_study_id_version")),
    )
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_study_id"), ["study_id"], unique=False)


def _create_voiding() -> None:
    op.create_table(
        "voiding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_voiding_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voiding")),
        sa.UniqueConstraint("entity", "entity_id", name=op.f("uq_voiding_entity_entity_id")),
    )
    with op.batch_alter_table("voiding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voiding_study_id"), ["study_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("voiding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voiding_study_id"))
    op.drop_table("voiding")
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_study_id"))
    op.drop_table("protocol")
    with op.batch_alter_table("doseevent", schema=None) as batch_op:
        batch_op.drop_column("deviation_pct")
        batch_op.drop_column("given_ml_per_kg")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("weight_precision_g")
        batch_op.drop_column("volume_tolerance_pct")
        batch_op.drop_column("syringe_graduation_ml")
