"""alerts: roster, deliveries, acknowledgements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_sq', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('active_from', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active_to', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    op.create_table('ops_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('window', sa.String(length=32), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ops_alerts')),
    sa.UniqueConstraint('kind', 'window', name=op.f('uq_ops_alerts_kind_window'))
    )
    op.create_table('officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('telegram_chat_enc', sa.LargeBinary(), nullable=True),
    sa.Column('telegram_chat_key', sa.String(length=64), nullable=True),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_key', sa.String(length=64), nullable=True),
    sa.Column('channel_order', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('active_from', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active_to', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('enrol_code_key', sa.String(length=64), nullable=True),
    sa.Column('enrol_expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_officials_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officials')),
    sa.UniqueConstraint('enrol_code_key', name=op.f('uq_officials_enrol_code_key'))
    )
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officials_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_officials_phone_key'), ['phone_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_officials_telegram_chat_key'), ['telegram_chat_key'], unique=False)

    op.create_table('acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_acknowledgements_agency_id_agencies')),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_acknowledgements_official_id_officials')),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_acknowledgements_tip_id_tips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acknowledgements')),
    sa.UniqueConstraint('tip_id', 'official_id', name=op.f('uq_acknowledgements_tip_id_official_id'))
    )
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acknowledgements_tip_id'), ['tip_id'], unique=False)

    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tip_id', sa.Integer(), nullable=True),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('queue', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('provider_message_id', sa.String(length=64), nullable=True),
    sa.Column('ack_code', sa.String(length=8), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_deliveries_official_id_officials')),
    sa.ForeignKeyConstraint(['tip_id'], ['tips.id'], name=op.f('fk_deliveries_tip_id_tips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('tip_id', 'official_id', 'purpose', 'round', 'channel', name=op.f('uq_deliveries_tip_id_official_id_purpose_round_channel'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_tip_id'), ['tip_id'], unique=False)

    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_mode', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('ack_due_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('covered_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_ack_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_due_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_tips_ack_due_at'), ['ack_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tips_reminder_due_at'), ['reminder_due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tips_reminder_due_at'))
        batch_op.drop_index(batch_op.f('ix_tips_ack_due_at'))
        batch_op.drop_column('reminder_due_at')
        batch_op.drop_column('first_ack_at')
        batch_op.drop_column('covered_at')
        batch_op.drop_column('escalation_level')
        batch_op.drop_column('ack_due_at')
        batch_op.drop_column('alert_mode')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_tip_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_official_id'))
        batch_op.drop_index('ix_deliveries_due')

    op.drop_table('deliveries')
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acknowledgements_tip_id'))

    op.drop_table('acknowledgements')
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officials_telegram_chat_key'))
        batch_op.drop_index(batch_op.f('ix_officials_phone_key'))
        batch_op.drop_index(batch_op.f('ix_officials_agency_id'))

    op.drop_table('officials')
    op.drop_table('ops_alerts')
    op.drop_table('agencies')
