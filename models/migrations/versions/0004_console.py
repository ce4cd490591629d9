"""console: users, login failures, notes, questions, service updates; tips.categories

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_updates'))
    )
    with op.batch_alter_table('service_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_updates_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('categories', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_account_key'), ['account_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_address_key'), ['address_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('totp_secret_enc', sa.LargeBinary(), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_users_official_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_official_id'), ['official_id'], unique=False)

    op.create_table('reporter_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outbound_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_reporter_questions_tip_id_tips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reporter_questions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporter_questions'))
    )
    with op.batch_alter_table('reporter_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporter_questions_tip_id'), ['tip_id'], unique=False)

    op.create_table('tip_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_tip_notes_tip_id_tips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tip_notes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tip_notes'))
    )
    with op.batch_alter_table('tip_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tip_notes_tip_id'), ['tip_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('service_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_updates_entry_id'))

    op.drop_table('service_updates')
    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.drop_column('categories')
    with op.batch_alter_table('tip_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tip_notes_tip_id'))

    op.drop_table('tip_notes')
    with op.batch_alter_table('reporter_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporter_questions_tip_id'))

    op.drop_table('reporter_questions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_official_id'))

    op.drop_table('users')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_address_key'))
        batch_op.drop_index(batch_op.f('ix_login_failures_account_key'))

    op.drop_table('login_failures')
