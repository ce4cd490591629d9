"""review queue: tips.triage_band, tips.reviewed_at, tip_reviews

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage_band", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_tips_reviewed_at"), ["reviewed_at"], unique=False)
    # Until now the working band was triage's band: that is what triage said of existing tips.
    op.execute("UPDATE tips SET triage_band = band")

    op.create_table(
        "tip_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("from_band", sa.String(length=16), nullable=True),
        sa.Column("to_band", sa.String(length=16), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tips.id"], name=op.f("fk_tip_reviews_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tip_reviews_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_reviews")),
    )
    with op.batch_alter_table("tip_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_reviews_tip_id"), ["tip_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tip_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_reviews_tip_id"))
    op.drop_table("tip_reviews")
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tips_reviewed_at"))
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("triage_band")
