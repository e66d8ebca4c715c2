"""Article drafts made from knowledge gaps (issue 16).

Revision ID: 0013
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('article_drafts',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('gap_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('article_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_drafts'))
    )
    with op.batch_alter_table('article_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_drafts_gap_key'), ['gap_key'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('article_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_drafts_gap_key'))
    op.drop_table('article_drafts')
