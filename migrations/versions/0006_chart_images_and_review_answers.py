"""Digest chart images and answers to review follow-ups.

chart_images holds each digest's trend chart for GET /charts/<token>.png (Teams cards load images by
URL); review_answers holds a manager's "Yes, it changed" / "Not yet" a week after a review.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 03:24:41.962750
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('chart_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_images')),
    sa.UniqueConstraint('token', name=op.f('uq_chart_images_token'))
    )
    with op.batch_alter_table('chart_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chart_images_created_at'), ['created_at'], unique=False)

    op.create_table('review_answers',
    sa.Column('review_id', sa.String(), nullable=False),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_answers_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', name=op.f('pk_review_answers'))
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('review_answers')
    with op.batch_alter_table('chart_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chart_images_created_at'))

    op.drop_table('chart_images')
