"""Stored learnt models (issue 15): fitted once off the request path, loaded by every process at start.

Revision ID: 0014
Revises: 0015 (given 0009; re-chained after merging main, whose head is 0015)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('model_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('examples', sa.Integer(), nullable=False),
    sa.Column('watermark', sa.DateTime(timezone=True), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_snapshots')),
    sa.UniqueConstraint('kind', 'version', name=op.f('uq_model_snapshots_kind_version'))
    )
    with op.batch_alter_table('model_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_snapshots_kind'), ['kind'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('model_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_snapshots_kind'))
    op.drop_table('model_snapshots')
