"""study designs: arms with a reference and a stock, a non-randomized factor, cohorts, a sealed protocol plan

Arms get `is_reference` (the arm the others are compared with) and `stock_mg_per_ml` (a stated stock; else
dose over the study's volume per kg). A study may name a between-animal factor that is not randomized
(`study.factor_name`, e.g. stress) whose level each animal carries (`animal.factor_level`). The new table
`cohort` holds batches of a study's animals run on their own dates; an animal may belong to one and a
randomization may be of one (`randomization.cohort_id`). A randomization records the protocol version in
force when it was drawn (`protocol_id`) or that it was drawn without one (`protocol_waived`). A protocol
version holds its whole plan as canonical JSON (`plan`) and the plan's SHA-256 (`plan_sha256`). Every new
column is nullable and stays NULL on existing rows, so no row's digest changes: a study whose arms mark no
reference compares with its first arm, the vehicle, as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_cohort_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
        sa.UniqueConstraint("study_id", "name", name=op.f("uq_cohort_study_id_name")),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_study_id"), ["study_id"], unique=False)
    with op.batch_alter_table("arm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stock_mg_per_ml", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("is_reference", sa.Boolean(), nullable=True))
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(sa.Column("factor_name", sa.String(length=60), nullable=True))
    with op.batch_alter_table("animal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("factor_level", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_animal_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_animal_cohort_id_cohort"), "cohort", ["cohort_id"], ["id"])
    with op.batch_alter_table("randomization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("protocol_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("protocol_waived", sa.Boolean(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_randomization_cohort_id_cohort"), "cohort", ["cohort_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_randomization_protocol_id_protocol"), "protocol", ["protocol_id"], ["id"]
        )
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("plan_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.drop_column("plan_sha256")
        batch_op.drop_column("plan")
    with op.batch_alter_table("randomization", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_randomization_protocol_id_protocol"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_randomization_cohort_id_cohort"), type_="foreignkey")
        batch_op.drop_column("protocol_waived")
        batch_op.drop_column("protocol_id")
        batch_op.drop_column("cohort_id")
    with op.batch_alter_table("animal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_animal_cohort_id_cohort"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_animal_cohort_id"))
        batch_op.drop_column("cohort_id")
        batch_op.drop_column("factor_level")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("factor_name")
    with op.batch_alter_table("arm", schema=None) as batch_op:
        batch_op.drop_column("is_reference")
        batch_op.drop_column("stock_mg_per_ml")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_study_id"))
    op.drop_table("cohort")
