"""Index tickets on (cause_key, created_at).

The digest counts each cause's tickets in time windows (deflection baselines, the 12-week trend);
with this index each window is a range scan instead of a pass over all of the cause's tickets.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index('ix_tickets_cause_key_created_at', 'tickets', ['cause_key', 'created_at'], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index('ix_tickets_cause_key_created_at', table_name='tickets')
