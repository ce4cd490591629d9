"""tip links: tip_entities (keyed hashes of what a tip names) and tip_unlinks (officials' undo)

Related tips (issue 17): two tips that name the same phone number, plate, handle, e-mail, IBAN
or business with its place share a digest in tip_entities. Only the kind and an HMAC under
RAPORTO_ENTITY_KEYS are stored.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip_entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("strong", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tips.id"], name=op.f("fk_tip_entities_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_entities")),
        sa.UniqueConstraint(
            "tip_id", "kind", "digest", name=op.f("uq_tip_entities_tip_id_kind_digest")
        ),
    )
    op.create_index(op.f("ix_tip_entities_tip_id"), "tip_entities", ["tip_id"], unique=False)
    op.create_index("ix_tip_entities_kind_digest", "tip_entities", ["kind", "digest"])
    op.create_table(
        "tip_unlinks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("other_tip_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tips.id"], name=op.f("fk_tip_unlinks_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["other_tip_id"],
            ["tips.id"],
            name=op.f("fk_tip_unlinks_other_tip_id_tips"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tip_unlinks_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_unlinks")),
        sa.UniqueConstraint(
            "tip_id", "other_tip_id", name=op.f("uq_tip_unlinks_tip_id_other_tip_id")
        ),
    )
    op.create_index(op.f("ix_tip_unlinks_tip_id"), "tip_unlinks", ["tip_id"], unique=False)
    op.create_index(
        op.f("ix_tip_unlinks_other_tip_id"), "tip_unlinks", ["other_tip_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tip_unlinks_other_tip_id"), table_name="tip_unlinks")
    op.drop_index(op.f("ix_tip_unlinks_tip_id"), table_name="tip_unlinks")
    op.drop_table("tip_unlinks")
    op.drop_index("ix_tip_entities_kind_digest", table_name="tip_entities")
    op.drop_index(op.f("ix_tip_entities_tip_id"), table_name="tip_entities")
    op.drop_table("tip_entities")
