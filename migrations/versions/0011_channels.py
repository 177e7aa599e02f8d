"""Channels: reports received by SMS, WhatsApp and USSD (provider message ids), consent to SMS, SMS delivery state

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00.000000

Only added columns, tables and indexes: plain ALTER TABLE on SQLite too, so the cases table is not recreated (which
would lose the DESC of the queue order indexes, 0004).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('channel_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('provider_message_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_channel_messages_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_messages')),
    sa.UniqueConstraint('provider', 'provider_message_id', name='uq_channel_messages_provider_message')
    )
    op.create_index('ix_channel_messages_received_at', 'channel_messages', ['received_at'], unique=False)
    op.create_index(op.f('ix_channel_messages_case_id'), 'channel_messages', ['case_id'], unique=False)
    # A phone's own cases, for status questions by SMS and USSD.
    op.create_index(op.f('ix_cases_contact_phone'), 'cases', ['contact_phone'], unique=False)
    # Existing cases never agreed to SMS: false for every one of them.
    op.add_column('cases', sa.Column('sms_consent', sa.Boolean(), nullable=False, server_default='0'))
    op.add_column('outbox', sa.Column('provider_message_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
    op.add_column('outbox', sa.Column('delivery_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.create_index(op.f('ix_outbox_provider_message_id'), 'outbox', ['provider_message_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_provider_message_id'), table_name='outbox')
    op.drop_column('outbox', 'delivery_status')
    op.drop_column('outbox', 'provider_message_id')
    op.drop_column('cases', 'sms_consent')
    op.drop_index(op.f('ix_cases_contact_phone'), table_name='cases')
    op.drop_index(op.f('ix_channel_messages_case_id'), table_name='channel_messages')
    op.drop_index('ix_channel_messages_received_at', table_name='channel_messages')
    op.drop_table('channel_messages')
