"""The officer's working day: case holder and reopenings, supervisors, escalation thresholds, reply templates, case
alerts, and digests to staff in the outbox

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 17:00:00.000000

The cases table only gets added columns, so SQLite alters it in place (recreating it would lose the DESC of the
queue order indexes, 0004); the outbox is recreated on SQLite to let ``case_id`` be empty.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _add_assignee_id() -> None:
    """The column and its foreign key; on SQLite in one ALTER TABLE, as a separate constraint would need a copy."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cases ADD COLUMN assignee_id INTEGER '
                   'CONSTRAINT fk_cases_assignee_id_users REFERENCES users (id)')
    else:
        op.add_column('cases', sa.Column('assignee_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_cases_assignee_id_users'), 'cases', 'users', ['assignee_id'], ['id'])


def upgrade() -> None:
    _add_assignee_id()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopen_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)

    with op.batch_alter_table('user_departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisor', sa.Boolean(), nullable=False, server_default='0'))

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warn_at_percent', sa.Integer(), nullable=False, server_default='80'))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_id', sa.Integer(), nullable=True))
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_outbox_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_recipient_id_users'), 'users', ['recipient_id'], ['id'])

    op.create_table('reply_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                            name=op.f('fk_reply_templates_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_templates'))
    )
    with op.batch_alter_table('reply_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_templates_department_id'), ['department_id'], unique=False)

    op.create_table('case_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_alerts_case_id_cases')),
    sa.ForeignKeyConstraint(['digest_id'], ['outbox.id'], name=op.f('fk_case_alerts_digest_id_outbox')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_case_alerts_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_alerts')),
    sa.UniqueConstraint('case_id', 'level', 'day', 'recipient_id', name='uq_case_alerts_case_id_level_day_recipient_id')
    )
    with op.batch_alter_table('case_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_alerts_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_alerts_digest_id'), ['digest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_alerts_recipient_id'), ['recipient_id'], unique=False)


def downgrade() -> None:
    op.drop_table('case_alerts')
    op.drop_table('reply_templates')

    op.execute('DELETE FROM outbox WHERE case_id IS NULL')  # staff digests: no place for them before this revision
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_recipient_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_recipient_id'))
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('recipient_id')

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('warn_at_percent')

    with op.batch_alter_table('user_departments', schema=None) as batch_op:
        batch_op.drop_column('supervisor')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))
        batch_op.drop_column('reopen_count')
        batch_op.drop_column('assignee_id')
