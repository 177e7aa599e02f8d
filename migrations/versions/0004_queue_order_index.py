"""Queue order indexes: the queue's whole sort order after (ministry, status) and after (needs_triage, status)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:50:00.000000

They replace ix_cases_queue and ix_cases_triage, which share their leading columns but stop at urgency_rank or
urgency_score, so every page sorted all the cases of a range. SQLite cannot store NULLS LAST in an index: there
deadline_at is indexed plainly and the few rows tying on urgency are sorted by the query (docs/performance.md).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _queue_order() -> list:
    """triage/queue._queue_order as index columns, NULLS LAST where the database can store it."""
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    return [sa.text('urgency_rank DESC'), sa.text('urgency_score DESC'), sa.text(f'deadline_at{nulls_last}'),
            'created_at', 'id']


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_queue_order', ['department_id', 'status', *_queue_order()], unique=False)
        batch_op.create_index('ix_cases_triage_order', ['needs_triage', 'status', *_queue_order()], unique=False)
        batch_op.drop_index('ix_cases_queue')
        batch_op.drop_index('ix_cases_triage')


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_queue', ['department_id', 'status', 'urgency_rank', 'urgency_score', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_triage', ['needs_triage', 'status', 'urgency_rank', 'created_at'], unique=False)
        batch_op.drop_index('ix_cases_triage_order')
        batch_op.drop_index('ix_cases_queue_order')
