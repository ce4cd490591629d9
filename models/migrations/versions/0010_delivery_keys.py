"""delivery keys: deliveries.key, unique for every kind of message

The old unique constraint (tip_id, official_id, purpose, round, channel) never applied to
digests and notices (no tip: NULL never equals NULL) and edits borrowed `round` to make theirs
hold. Each kind now names what makes it unique (alerts/kinds.py `delivery_key`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD = "uq_deliveries_tip_id_official_id_purpose_round_channel"
NEW = "uq_deliveries_key"
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=200), nullable=True))
    # Rows written before this revision keep their own id as key: it cannot collide with any
    # other row or with a key of a kind, and nothing looks such a row up by key again.
    deliveries = sa.table("deliveries", sa.column("id", sa.Integer), sa.column("key", sa.String))
    op.get_bind().execute(
        sa.update(deliveries).values(
            key=sa.literal("legacy:") + sa.cast(deliveries.c.id, sa.String)
        )
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(NEW, ["key"])
        batch_op.drop_constraint(OLD, type_="unique")


def downgrade() -> None:
    # Kinds the new keys tell apart get rounds the old constraint tells apart as well: an edit
    # its old encoding (original delivery * 1000 + acknowledgements), a reminder its count of
    # acknowledgements. Digests and notices have no tip, so the old constraint never held them.
    deliveries = sa.table(
        "deliveries", sa.column("id", sa.Integer), sa.column("purpose", sa.String),
        sa.column("round", sa.Integer), sa.column("detail", JSON),
    )  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(deliveries.c.id, deliveries.c.purpose, deliveries.c.detail).where(
            deliveries.c.purpose.in_(("edit", "reminder"))
        )
    ).all()
    for delivery_id, purpose, detail in rows:
        detail = detail or {}
        if "acks" not in detail:
            continue  # written before 0010: its round is already the old one
        acks = int(detail["acks"])
        old = int(detail["of_delivery"]) * 1000 + acks if purpose == "edit" else acks
        bind.execute(sa.update(deliveries).where(deliveries.c.id == delivery_id).values(round=old))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(NEW, type_="unique")
        batch_op.create_unique_constraint(
            OLD, ["tip_id", "official_id", "purpose", "round", "channel"]
        )
        batch_op.drop_column("key")
