"""foundation: study, arm, animal, weight, cage, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:58:02.337486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("compound", sa.String(length=120), nullable=False),
        sa.Column("dose_mg_per_kg", sa.Float(), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("vehicle", sa.String(length=120), nullable=False),
        sa.Column("volume_ml_per_kg", sa.Float(), nullable=False),
        sa.Column("species", sa.String(length=60), nullable=False),
        sa.Column("strain", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study")),
        sa.UniqueConstraint("name", name=op.f("uq_study_name")),
    )
    op.create_table(
        "animal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("ear_tag", sa.String(length=60), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("strain", sa.String(length=120), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_animal_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_animal")),
        sa.UniqueConstraint("study_id", "label", name=op.f("uq_animal_study_id_label")),
    )
    with op.batch_alter_table("animal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_animal_study_id"), ["study_id"], unique=False)

    op.create_table(
        "arm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("substance", sa.String(length=120), nullable=False),
        sa.Column("dose_mg_per_kg", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_arm_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arm")),
        sa.UniqueConstraint("study_id", "name", name=op.f("uq_arm_study_id_name")),
        sa.UniqueConstraint("study_id", "position", name=op.f("uq_arm_study_id_position")),
    )
    with op.batch_alter_table("arm", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arm_study_id"), ["study_id"], unique=False)

    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=120), nullable=True),
        sa.Column("study_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_auditevent_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditevent")),
        sa.UniqueConstraint("hash", name=op.f("uq_auditevent_hash")),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_study_id"), ["study_id"], unique=False)

    op.create_table(
        "cageassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("cage", sa.String(length=60), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["animal_id"], ["animal.id"], name=op.f("fk_cageassignment_animal_id_animal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cageassignment")),
    )
    with op.batch_alter_table("cageassignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cageassignment_animal_id"), ["animal_id"], unique=False)

    op.create_table(
        "weight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Float(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_weight_animal_id_animal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weight")),
    )
    with op.batch_alter_table("weight", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weight_animal_id"), ["animal_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("weight", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weight_animal_id"))

    op.drop_table("weight")
    with op.batch_alter_table("cageassignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cageassignment_animal_id"))

    op.drop_table("cageassignment")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_study_id"))

    op.drop_table("auditevent")
    with op.batch_alter_table("arm", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arm_study_id"))

    op.drop_table("arm")
    with op.batch_alter_table("animal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_animal_study_id"))

    op.drop_table("animal")
    op.drop_table("study")
