"""Erasure: cases.erased_at, and SMTP errors that named a citizen's address made anonymous

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:00:00.000000

Dead letters used to keep the SMTP server's refusal verbatim, which names the recipient; those errors are replaced by
a generic one (what the mail code stores now, see civicly/mail.py).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE outbox SET last_error = 'recipient refused (address removed)' WHERE last_error LIKE '%@%'")


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
