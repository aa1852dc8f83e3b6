"""fst sessions, immobility scores, spt periods, planned test interval

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:28:37.022953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "sptperiod",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sucrose_pct", sa.Float(), nullable=False),
        sa.Column("control_sucrose_loss_ml", sa.Float(), nullable=True),
        sa.Column("control_water_loss_ml", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_sptperiod_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sptperiod")),
        sa.UniqueConstraint("study_id", "label", name=op.f("uq_sptperiod_study_id_label")),
    )
    with op.batch_alter_table("sptperiod", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sptperiod_study_id"), ["study_id"], unique=False)

    op.create_table(
        "fstsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("video_path", sa.String(length=1000), nullable=False),
        sa.Column("video_sha256", sa.String(length=80), nullable=False),
        sa.Column("roi_label", sa.String(length=60), nullable=False),
        sa.Column("roi", sa.Text(), nullable=True),
        sa.Column("tank", sa.String(length=60), nullable=True),
        sa.Column("tested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hours_post_dose", sa.Float(), nullable=True),
        sa.Column("water_temp_c", sa.Float(), nullable=True),
        sa.Column("water_depth_cm", sa.Float(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_fstsession_animal_id_animal")),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_fstsession_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fstsession")),
        sa.UniqueConstraint(
            "study_id",
            "video_sha256",
            "roi_label",
            name=op.f("uq_fstsession_study_id_video_sha256_roi_label"),
        ),
    )
    with op.batch_alter_table("fstsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fstsession_animal_id"), ["animal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fstsession_study_id"), ["study_id"], unique=False)

    op.create_table(
        "sptreading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("animal_id", sa.Integer(), nullable=False),
        sa.Column("sucrose_side", sa.String(length=1), nullable=False),
        sa.Column("sucrose_ml", sa.Float(), nullable=False),
        sa.Column("water_ml", sa.Float(), nullable=False),
        sa.Column("sheet_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["animal_id"], ["animal.id"], name=op.f("fk_sptreading_animal_id_animal")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["sptperiod.id"], name=op.f("fk_sptreading_period_id_sptperiod")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sptreading")),
        sa.UniqueConstraint("period_id", "animal_id", name=op.f("uq_sptreading_period_id_animal_id")),
    )
    with op.batch_alter_table("sptreading", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sptreading_animal_id"), ["animal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sptreading_period_id"), ["period_id"], unique=False)

    op.create_table(
        "sptsheetfile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["sptperiod.id"], name=op.f("fk_sptsheetfile_period_id_sptperiod")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sptsheetfile")),
        sa.UniqueConstraint("period_id", name=op.f("uq_sptsheetfile_period_id")),
    )
    op.create_table(
        "immobilityscore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("parameters_sha256", sa.String(length=64), nullable=False),
        sa.Column("software_version", sa.String(length=40), nullable=False),
        sa.Column("scorer", sa.String(length=120), nullable=False),
        sa.Column("immobility_s", sa.Float(), nullable=True),
        sa.Column("latency_s", sa.Float(), nullable=True),
        sa.Column("n_bouts", sa.Integer(), nullable=True),
        sa.Column("window_start_s", sa.Float(), nullable=False),
        sa.Column("window_end_s", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("threshold_trustworthy", sa.Boolean(), nullable=True),
        sa.Column("per_minute", sa.Text(), nullable=False),
        sa.Column("time_sampling", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["fstsession.id"], name=op.f("fk_immobilityscore_session_id_fstsession")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_immobilityscore")),
        sa.UniqueConstraint(
            "session_id",
            "method",
            "parameters_sha256",
            name=op.f("uq_immobilityscore_session_id_method_parameters_sha256"),
        ),
    )
    with op.batch_alter_table("immobilityscore", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_immobilityscore_session_id"), ["session_id"], unique=False)

    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("test_hours_post_dose", sa.Float(), server_default="24", nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("test_hours_post_dose")

    with op.batch_alter_table("immobilityscore", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_immobilityscore_session_id"))

    op.drop_table("immobilityscore")
    op.drop_table("sptsheetfile")
    with op.batch_alter_table("sptreading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sptreading_period_id"))
        batch_op.drop_index(batch_op.f("ix_sptreading_animal_id"))

    op.drop_table("sptreading")
    with op.batch_alter_table("fstsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fstsession_study_id"))
        batch_op.drop_index(batch_op.f("ix_fstsession_animal_id"))

    op.drop_table("fstsession")
    with op.batch_alter_table("sptperiod", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sptperiod_study_id"))

    op.drop_table("sptperiod")
