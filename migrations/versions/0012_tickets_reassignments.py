"""Tickets keep how many times a help desk moved them to another group.

A ServiceNow event log records each reassignment; imported history keeps the count beside the hand-off
chain (agents) and the reopen times (reopened_at).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-04 19:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reassignments', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('reassignments')
