"""Tickets keep the ids of tickets an agent linked them to (`link FX-... FX-...`).

Revision ID: 0019
Revises: 0009
Create Date: 2026-12-04 22:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('linked')
