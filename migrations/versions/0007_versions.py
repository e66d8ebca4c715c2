"""A version on tickets, causes and escalations, for optimistic concurrency.

An update checks the version it read and bumps it; a mismatch means another process changed the row
meanwhile, and the use case is retried from a fresh read instead of overwriting that change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('tickets', 'causes', 'escalations')


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            column = sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False)
            batch_op.add_column(column)


def downgrade() -> None:
    """Revert this revision."""
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
