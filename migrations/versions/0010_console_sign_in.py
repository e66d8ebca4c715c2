"""Console sign-in: one-time links and browser sessions.

console_links keeps the SHA-256 of each one-time sign-in link's token (valid once, for 10 minutes);
console_sessions keeps the SHA-256 of each session cookie, its CSRF token and any OpenID Connect
sign-in under way.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-04 19:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('console_links',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('person', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_links'))
    )
    with op.batch_alter_table('console_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_links_expires_at'), ['expires_at'], unique=False)

    op.create_table('console_sessions',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('person', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('csrf', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pending', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_expires_at'))
    op.drop_table('console_sessions')
    with op.batch_alter_table('console_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_links_expires_at'))
    op.drop_table('console_links')
