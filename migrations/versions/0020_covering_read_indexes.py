"""Covering indexes for the read paths that aggregate at a million tickets: the ranking and the backlog.

The cause ranking reads every caused ticket's surface, status, priority, affected users and times; the
deflection baselines and the digest's trend count each fixed cause's tickets per surface in a window. With
these columns in the (cause_key, created_at) index (partial: tickets without a cause are not in it), both
are index-only scans instead of a read of every row of the table. The backlog's two partial indexes (never
resolved, reopened) carry what the backlog reads too, so the open tickets are counted without the table.
SQLite has no INCLUDE: there the indexes keep their key columns (the cause one becomes partial).

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-05 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAUSE_INCLUDE = ['surface', 'status', 'priority', 'affected_users', 'resolved_at', 'closed_at', 'id']
BACKLOG = {  # name: (predicate, included columns)
    'ix_tickets_unresolved_created_at': ('resolved_at IS NULL', ['surface', 'priority']),
    'ix_tickets_reopened_created_at': (
        "CAST(reopened_at AS TEXT) != '[]'",
        ['surface', 'priority', 'resolved_at', 'closed_at', 'reopened_at'],
    ),
}


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index('ix_tickets_cause_key_created_at', table_name='tickets')
    where = sa.text('cause_key IS NOT NULL')
    op.create_index('ix_tickets_cause_key_created_at', 'tickets', ['cause_key', 'created_at'], unique=False,
                    postgresql_where=where, sqlite_where=where, postgresql_include=CAUSE_INCLUDE)
    for name, (predicate, include) in BACKLOG.items():
        op.drop_index(name, table_name='tickets')
        op.create_index(name, 'tickets', ['created_at'], unique=False, postgresql_where=sa.text(predicate),
                        sqlite_where=sa.text(predicate), postgresql_include=include)


def downgrade() -> None:
    """Undo this revision."""
    for name, (predicate, _) in BACKLOG.items():
        op.drop_index(name, table_name='tickets')
        op.create_index(name, 'tickets', ['created_at'], unique=False, postgresql_where=sa.text(predicate),
                        sqlite_where=sa.text(predicate))
    op.drop_index('ix_tickets_cause_key_created_at', table_name='tickets')
    op.create_index('ix_tickets_cause_key_created_at', 'tickets', ['cause_key', 'created_at'], unique=False)
