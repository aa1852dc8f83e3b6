"""allocation, sealed key, dosing, exclusions, unmasking

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:07:43.476142
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "randomization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("strata", sa.String(length=200), nullable=False),
        sa.Column("n_arms", sa.Integer(), nullable=False),
        sa.Column("n_animals", sa.Integer(), nullable=False),
        sa.Column("roster_sha256", sa.String(length=64), nullable=False),
        sa.Column("library_version", sa.String(length=40), nullable=False),
        sa.Column("balance", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_randomization_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_randomization")),
        sa.UniqueConstraint("study_id", name=op.f("uq_randomization_study_id")),
    )
    op.create_table(
        "sealedkey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_sealedkey_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealedkey")),
        sa.UniqueConstraint("study_id", name=op.f("uq_sealedkey_study_id")),
    )
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("blind_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_allocation_animal_id_animal")),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_allocation_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation")),
        sa.UniqueConstraint("animal_id", name=op.f("uq_allocation_animal_id")),
        sa.UniqueConstraint("study_id", "blind_code", name=op.f("uq_allocation_study_id_blind_code")),
    )
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_study_id"), ["study_id"], unique=False)

    op.create_table(
        "exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("criterion_set_a_priori", sa.Boolean(), nullable=False),
        sa.Column("decided_blind", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_exclusion_animal_id_animal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion")),
    )
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exclusion_animal_id"), ["animal_id"], unique=False)

    op.create_table(
        "unmaskevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_unmaskevent_animal_id_animal")),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_unmaskevent_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmaskevent")),
    )
    with op.batch_alter_table("unmaskevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unmaskevent_study_id"), ["study_id"], unique=False)

    op.create_table(
        "doseevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("weight_id", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Float(), nullable=False),
        sa.Column("volume_ml", sa.Float(), nullable=False),
        sa.Column("volume_ml_per_kg", sa.Float(), nullable=False),
        sa.Column("dosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=120), nullable=False),
        sa.Column("repeat_reason", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_doseevent_animal_id_animal")),
        sa.ForeignKeyConstraint(["weight_id"], ["weight.id"], name=op.f("fk_doseevent_weight_id_weight")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doseevent")),
    )
    with op.batch_alter_table("doseevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_doseevent_animal_id"), ["animal_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("doseevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doseevent_animal_id"))

    op.drop_table("doseevent")
    with op.batch_alter_table("unmaskevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unmaskevent_study_id"))

    op.drop_table("unmaskevent")
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exclusion_animal_id"))

    op.drop_table("exclusion")
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_study_id"))

    op.drop_table("allocation")
    op.drop_table("sealedkey")
    op.drop_table("randomization")
