"""accounts: users.pending_by (a second admin's confirmation), attempts (failed guesses counted)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_by", sa.Integer(), nullable=True))
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index("ix_attempts_kind_key_at", ["kind", "key", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempts_at"))
        batch_op.drop_index("ix_attempts_kind_key_at")
    op.drop_table("attempts")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("pending_by")
