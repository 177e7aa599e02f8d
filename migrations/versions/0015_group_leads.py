"""Group leads indexed: every queue and case page asks which of its cases lead a group of similar reports, which
read the whole case_groups table without it (tens of thousands of groups at a national size).

On PostgreSQL the index is built with CREATE INDEX CONCURRENTLY outside the migration's transaction, as in 0014.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 21:40:00.000000
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0015'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.create_index(op.f('ix_case_groups_lead_case_id'), 'case_groups', ['lead_case_id'],
                            postgresql_concurrently=True)
    else:
        op.create_index(op.f('ix_case_groups_lead_case_id'), 'case_groups', ['lead_case_id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.drop_index(op.f('ix_case_groups_lead_case_id'), table_name='case_groups', postgresql_concurrently=True)
    else:
        op.drop_index(op.f('ix_case_groups_lead_case_id'), table_name='case_groups')
