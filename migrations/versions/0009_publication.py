"""Publication by consent and moderation: consent, public id and text, approval, the filing API key; revised
satisfaction answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:55:46.854405

Only added columns and indexes, so SQLite alters the cases table in place: recreating it (batch mode) would lose the
DESC of the queue order indexes (0004).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _add_filed_by_key_id() -> None:
    """The column and its foreign key; on SQLite in one ALTER TABLE, as a separate constraint would need a copy."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cases ADD COLUMN filed_by_key_id INTEGER '
                   'CONSTRAINT fk_cases_filed_by_key_id_api_keys REFERENCES api_keys (id)')
    else:
        op.add_column('cases', sa.Column('filed_by_key_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_cases_filed_by_key_id_api_keys'), 'cases', 'api_keys',
                              ['filed_by_key_id'], ['id'])


def upgrade() -> None:
    _add_filed_by_key_id()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        # Existing cases were never consented to publication: false for every one of them.
        batch_op.add_column(sa.Column('publish_consent', sa.Boolean(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('public_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('public_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_filed_by_key_id'), ['filed_by_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_public_id'), ['public_id'], unique=True)

    with op.batch_alter_table('satisfaction_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revised_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('satisfaction_answers', schema=None) as batch_op:
        batch_op.drop_column('revised_at')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_public_id'))
        batch_op.drop_index(batch_op.f('ix_cases_published_at'))
        batch_op.drop_index(batch_op.f('ix_cases_filed_by_key_id'))
        batch_op.drop_column('filed_by_key_id')
        batch_op.drop_column('published_by')
        batch_op.drop_column('published_at')
        batch_op.drop_column('public_text')
        batch_op.drop_column('public_id')
        batch_op.drop_column('publish_consent')
    if op.get_bind().dialect.name == 'sqlite':
        _restore_queue_order_indexes()


def _restore_queue_order_indexes() -> None:
    """Dropping columns copies the SQLite table, whose indexes come back without DESC: define 0004's again."""
    order = [sa.text('urgency_rank DESC'), sa.text('urgency_score DESC'), 'deadline_at', 'created_at', 'id']
    for name, leading in (('ix_cases_queue_order', 'department_id'), ('ix_cases_triage_order', 'needs_triage')):
        op.drop_index(name, table_name='cases')
        op.create_index(name, 'cases', [leading, 'status', *order], unique=False)
