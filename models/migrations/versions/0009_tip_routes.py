"""tip routes: tips.routes (child, complicity, labour) in clear, as labels

Acknowledgements and coverage read a tip's routes on every acknowledgement; they used to decrypt
the whole triage explanation (which quotes the tip) to find three labels.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("routes", JSON, nullable=False, server_default="[]"))
    # The routes are exactly derivable from clear columns (triage/routing.py routes_of): child
    # when a minor, complicity when a complicity sign fired, labour when a labour form, none for
    # a text triage called not a tip. Rows scored before this revision get them so.
    tips = sa.table(
        "tips", sa.column("id", sa.Integer), sa.column("triage_band", sa.String),
        sa.column("minor", sa.Boolean), sa.column("categories", JSON),
        sa.column("forms", JSON), sa.column("routes", JSON),
    )  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(tips.c.id, tips.c.triage_band, tips.c.minor, tips.c.categories, tips.c.forms)
    ).all()
    for tip_id, band, minor, categories, forms in rows:
        if band is None or band == "not_a_tip":
            continue
        routes = [
            route
            for route, applies in (
                ("child", bool(minor)),
                ("complicity", "complicity" in (categories or [])),
                ("labour", "labour" in (forms or [])),
            )
            if applies
        ]
        if routes:
            bind.execute(sa.update(tips).where(tips.c.id == tip_id).values(routes=routes))


def downgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_column("routes")
