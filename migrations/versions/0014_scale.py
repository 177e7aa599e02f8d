"""Scale: the active routing model and its signed versions in the database every host shares; cases indexed by
reception time for the dashboard and exports

On PostgreSQL the index is built with CREATE INDEX CONCURRENTLY outside the migration's transaction: a national
case table keeps taking submissions while it is built (minutes on millions of rows). SQLite builds it plainly.

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-03 17:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0014'
down_revision: Union[str, None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('active_model',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_active_model'))
    )
    op.create_table('model_artifacts',
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('card', sa.LargeBinary(), nullable=False),
    sa.Column('artifact', sa.LargeBinary(), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('artifact_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_model_artifacts'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.create_index('ix_cases_reception_order', 'cases', ['created_at', 'id'], postgresql_concurrently=True)
    else:
        op.create_index('ix_cases_reception_order', 'cases', ['created_at', 'id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.drop_index('ix_cases_reception_order', table_name='cases', postgresql_concurrently=True)
    else:
        op.drop_index('ix_cases_reception_order', table_name='cases')
    op.drop_table('model_artifacts')
    op.drop_table('active_model')
