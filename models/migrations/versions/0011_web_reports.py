"""web reports: tips.passphrase_hash, the argon2 hash of a web report's one-time passphrase

The anonymous web form (/report) gives its reporter a reference code and a passphrase; together
they open the report's status page. Only the hash is kept.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("passphrase_hash", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_column("passphrase_hash")
