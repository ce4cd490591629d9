"""complicity: tips.excluded_kinds (agencies a complicity tip implicates, kept from it everywhere)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("excluded_kinds", JSON, nullable=False, server_default="[]"))
    # Which agency a tip implicates is read from its encrypted explanation, out of reach here;
    # the clear categories say whether complicity fired, and the police unit is the one the
    # fan-out assumed when unsure. The next scoring of a tip adds the exact kinds.
    tips = sa.table(
        "tips", sa.column("id", sa.Integer), sa.column("categories", JSON),
        sa.column("excluded_kinds", JSON),
    )  # fmt: skip
    bind = op.get_bind()
    implicated = [
        tip_id
        for tip_id, categories in bind.execute(sa.select(tips.c.id, tips.c.categories))
        if "complicity" in (categories or [])
    ]
    for tip_id in implicated:
        bind.execute(sa.update(tips).where(tips.c.id == tip_id).values(excluded_kinds=["police"]))


def downgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_column("excluded_kinds")
