"""synthetic tips: tips.synthetic marks the canary's own tips (issue 18)

`raporto canary` sends a tip through each channel's real inbound path; intake marks it synthetic
when its text carries a marker only the service can make. Such tips are excluded from every
statistic, list, queue and official's alert, and deleted after the run.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(
            sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index(batch.f("ix_tips_synthetic"), ["synthetic"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.drop_index(batch.f("ix_tips_synthetic"))
        batch.drop_column("synthetic")
