"""Response deadlines and public holidays, groups of similar reports, the notification outbox, citizen satisfaction

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 20:23:48.438452
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )
    op.create_table('service_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('working_days', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_service_levels_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_levels')),
    sa.UniqueConstraint('department_id', 'urgency', name='uq_service_levels_department_id_urgency')
    )
    op.create_table('case_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('lead_case_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('surge_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_case_groups_department_id_departments')),
    sa.ForeignKeyConstraint(['lead_case_id'], ['cases.id'], name=op.f('fk_case_groups_lead_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_groups'))
    )
    with op.batch_alter_table('case_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_groups_department_id'), ['department_id'], unique=False)

    op.create_table('satisfaction_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_satisfaction_answers_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_answers')),
    sa.UniqueConstraint('case_id', name=op.f('uq_satisfaction_answers_case_id'))
    )
    op.create_table('case_group_members',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('joined_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_group_members_case_id_cases')),
    sa.ForeignKeyConstraint(['group_id'], ['case_groups.id'], name=op.f('fk_case_group_members_group_id_case_groups')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_group_members'))
    )
    with op.batch_alter_table('case_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_group_members_group_id'), ['group_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_case_id_cases')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_outbox_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_index(batch_op.f('ix_outbox_case_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('case_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_group_members_group_id'))

    op.drop_table('case_group_members')
    op.drop_table('satisfaction_answers')
    with op.batch_alter_table('case_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_groups_department_id'))

    op.drop_table('case_groups')
    op.drop_table('service_levels')
    op.drop_table('holidays')
