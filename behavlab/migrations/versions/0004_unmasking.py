"""unmasking: revealed allocation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 04:34:03.923544
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "revealedallocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("arm_id", sa.Integer(), nullable=False),
        sa.Column("unmask_event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["animal_id"], ["animal.id"], name=op.f("fk_revealedallocation_animal_id_animal")
        ),
        sa.ForeignKeyConstraint(["arm_id"], ["arm.id"], name=op.f("fk_revealedallocation_arm_id_arm")),
        sa.ForeignKeyConstraint(
            ["unmask_event_id"],
            ["unmaskevent.id"],
            name=op.f("fk_revealedallocation_unmask_event_id_unmaskevent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revealedallocation")),
        sa.UniqueConstraint("animal_id", name=op.f("uq_revealedallocation_animal_id")),
    )
    with op.batch_alter_table("revealedallocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revealedallocation_arm_id"), ["arm_id"], unique=False)

    with op.batch_alter_table("unmaskevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revealed", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("unmaskevent", schema=None) as batch_op:
        batch_op.drop_column("revealed")

    with op.batch_alter_table("revealedallocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revealedallocation_arm_id"))

    op.drop_table("revealedallocation")
