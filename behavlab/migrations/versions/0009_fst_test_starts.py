"""fst test starts: each session's entered or bench-marked start, each score's start, bench marks

An FST video starts before the mouse is in the water; the test and its scored window count from the
animal's entry. Sessions get the start a person entered or marked at the bench (seconds of video time), its
source and, for a bench mark, how its wall-clock time became video time. Scores get the start they counted
from, its source and a detected start's confidence. All new columns are nullable and stay NULL on existing
rows (a score without a start counted from the video's first frame, as earlier releases did), so no row's
digest changes. The new table `fstbenchmark` holds the marks made at the bench: camera started, mouse in,
mouse out. A video's ROI may be recorded again once its session is voided, and a session scored again
with the same parameters once its score is voided or its start changed, so the unique constraints on
(study, video hash, ROI) and (session, method, parameters) go; the services refuse live duplicates.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("fstsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_s", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("start_source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("start_basis", sa.String(length=300), nullable=True))
        batch_op.drop_constraint("uq_fstsession_study_id_video_sha256_roi_label", type_="unique")
    with op.batch_alter_table("immobilityscore", schema=None) as batch_op:
        batch_op.add_column(sa.Column("test_start_s", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("start_source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("start_confidence", sa.Float(), nullable=True))
        batch_op.drop_constraint("uq_immobilityscore_session_id_method_parameters_sha256", type_="unique")
    op.create_table(
        "fstbenchmark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=True),
        sa.Column("tank", sa.String(length=60), nullable=True),
        sa.Column("camera_mark_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_fstbenchmark_study_id_study")),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_fstbenchmark_animal_id_animal")),
        sa.ForeignKeyConstraint(
            ["camera_mark_id"], ["fstbenchmark.id"], name=op.f("fk_fstbenchmark_camera_mark_id_fstbenchmark")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fstbenchmark")),
    )
    with op.batch_alter_table("fstbenchmark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fstbenchmark_study_id"), ["study_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fstbenchmark_animal_id"), ["animal_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("fstbenchmark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fstbenchmark_animal_id"))
        batch_op.drop_index(batch_op.f("ix_fstbenchmark_study_id"))
    op.drop_table("fstbenchmark")
    with op.batch_alter_table("immobilityscore", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_immobilityscore_session_id_method_parameters_sha256",
            ["session_id", "method", "parameters_sha256"],
        )
        batch_op.drop_column("start_confidence")
        batch_op.drop_column("start_source")
        batch_op.drop_column("test_start_s")
    with op.batch_alter_table("fstsession", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_fstsession_study_id_video_sha256_roi_label", ["study_id", "video_sha256", "roi_label"]
        )
        batch_op.drop_column("start_basis")
        batch_op.drop_column("start_source")
        batch_op.drop_column("start_s")
