"""Fixes in the owner's tracker: the cause's tracker issue and state, and when a requester was told.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04 19:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('causes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fix_tracker', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('fix_issue', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('fix_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fix_regressed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fix_filed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_causes_fix_issue'), ['fix_issue'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fix_notified_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('fix_notified_at')
    with op.batch_alter_table('causes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_causes_fix_issue'))
        batch_op.drop_column('fix_filed_at')
        batch_op.drop_column('fix_regressed_at')
        batch_op.drop_column('fix_changed_at')
        batch_op.drop_column('fix_issue')
        batch_op.drop_column('fix_tracker')
