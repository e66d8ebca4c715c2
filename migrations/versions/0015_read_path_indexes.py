"""Indexes for the read paths at a million tickets: queues, people's tickets, the KPI windows.

The queue and a person's tickets are "the first N by created_at" of one status, requester or agent: a
composite index answers them with a short range scan (it replaces the single-column one, which it also
serves). The KPI windows over escalated_at, csat_at and fix_notified_at become range scans of partial
indexes (only rows where the column is set: most tickets are never escalated or rated, and cost nothing). The lone
backlog (tickets open at a period's end) reads two more partial indexes, of the tickets never resolved
and of those reopened, instead of every ticket created before the end. The lone
cause_key index is dropped: (cause_key, created_at) answers everything it did, and each index costs imports.

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-04 22:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | Sequence[str] | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLACED = ('status', 'requester', 'agent')  # single-column index -> (column, created_at)
WINDOWS = ('escalated_at', 'csat_at', 'fix_notified_at')
BACKLOG = {
    'ix_tickets_unresolved_created_at': 'resolved_at IS NULL',
    'ix_tickets_reopened_created_at': "CAST(reopened_at AS TEXT) != '[]'",
}


def upgrade() -> None:
    """Apply this revision."""
    for column in REPLACED:
        op.create_index(f'ix_tickets_{column}_created_at', 'tickets', [column, 'created_at'], unique=False)
        op.drop_index(f'ix_tickets_{column}', table_name='tickets')
    for column in WINDOWS:
        where = sa.text(f'{column} IS NOT NULL')
        op.create_index(f'ix_tickets_{column}', 'tickets', [column], unique=False,
                        postgresql_where=where, sqlite_where=where)
    for name, where in BACKLOG.items():
        op.create_index(name, 'tickets', ['created_at'], unique=False,
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    op.drop_index('ix_tickets_cause_key', table_name='tickets')


def downgrade() -> None:
    """Undo this revision."""
    op.create_index('ix_tickets_cause_key', 'tickets', ['cause_key'], unique=False)
    for name in BACKLOG:
        op.drop_index(name, table_name='tickets')
    for column in WINDOWS:
        op.drop_index(f'ix_tickets_{column}', table_name='tickets')
    for column in REPLACED:
        op.create_index(f'ix_tickets_{column}', 'tickets', [column], unique=False)
        op.drop_index(f'ix_tickets_{column}_created_at', table_name='tickets')
