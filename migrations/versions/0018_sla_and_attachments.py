"""SLA clocks and attachments on tickets: when the clocks started, both deadlines, file references.

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-04 22:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | Sequence[str] | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True))
        # Existing tickets have no files on record: an empty list, as the table's default gives new rows.
        batch_op.add_column(sa.Column('attachments', sa.JSON(), server_default='[]', nullable=False))
        batch_op.create_index(batch_op.f('ix_tickets_first_response_due_at'), ['first_response_due_at'])
        batch_op.create_index(batch_op.f('ix_tickets_resolution_due_at'), ['resolution_due_at'])


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_resolution_due_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_first_response_due_at'))
        batch_op.drop_column('attachments')
        batch_op.drop_column('resolution_due_at')
        batch_op.drop_column('first_response_due_at')
        batch_op.drop_column('sla_started_at')
