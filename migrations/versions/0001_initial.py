"""Initial schema.

Tickets and their messages, causes, articles, escalations, reviews, CSAT answers,
processed events (idempotent intake) and job claims (one digest per period across replicas).

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:44:04.009280
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('articles',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('surface', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('solved_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles'))
    )
    op.create_table('causes',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('root_cause_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('fix_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fix_status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fix_shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('key_phrases', sa.JSON(), nullable=False),
    sa.Column('named_by_person', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_causes'))
    )
    op.create_table('csat_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('solved', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_csat_responses'))
    )
    op.create_index(op.f('ix_csat_responses_ticket_id'), 'csat_responses', ['ticket_id'], unique=False)
    op.create_table('escalations',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ticket_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('from_agent', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('to_team', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('suggested_team', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('judgement', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('judged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('judged_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    op.create_index(op.f('ix_escalations_created_at'), 'escalations', ['created_at'], unique=False)
    op.create_index(op.f('ix_escalations_ticket_id'), 'escalations', ['ticket_id'], unique=False)
    op.create_table('job_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_claims')),
    sa.UniqueConstraint('job', 'period_start', name=op.f('uq_job_claims_job_period_start'))
    )
    op.create_table('processed_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_events')),
    sa.UniqueConstraint('platform', 'event_id', name=op.f('uq_processed_events_platform_event_id'))
    )
    op.create_index(op.f('ix_processed_events_received_at'), 'processed_events', ['received_at'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ticket_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agent', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('manager', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('why_it_mattered', sa.Text(), nullable=False),
    sa.Column('what_good_looks_like', sa.Text(), nullable=False),
    sa.Column('what_changes_next', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_to_agent', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    op.create_index(op.f('ix_reviews_agent'), 'reviews', ['agent'], unique=False)
    op.create_index(op.f('ix_reviews_ticket_id'), 'reviews', ['ticket_id'], unique=False)
    op.create_table('tickets',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('surface', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('requester', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('thread_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('chat', sa.JSON(), nullable=False),
    sa.Column('agents', sa.JSON(), nullable=False),
    sa.Column('agent', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('suggested_article_ids', sa.JSON(), nullable=False),
    sa.Column('first_bot_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_human_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('article_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reopened_at', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_to', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('escalation_judgement', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('escalation_judged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cause_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('csat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('affected_users', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('thread_key', name=op.f('uq_tickets_thread_key'))
    )
    op.create_index(op.f('ix_tickets_agent'), 'tickets', ['agent'], unique=False)
    op.create_index(op.f('ix_tickets_cause_key'), 'tickets', ['cause_key'], unique=False)
    op.create_index(op.f('ix_tickets_created_at'), 'tickets', ['created_at'], unique=False)
    op.create_index(op.f('ix_tickets_requester'), 'tickets', ['requester'], unique=False)
    op.create_index(op.f('ix_tickets_resolved_at'), 'tickets', ['resolved_at'], unique=False)
    op.create_index(op.f('ix_tickets_status'), 'tickets', ['status'], unique=False)
    op.create_table('messages',
    sa.Column('ticket_id', sa.String(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_messages_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'seq', name=op.f('pk_messages'))
    )
    op.create_index(op.f('ix_messages_ref'), 'messages', ['ref'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    # Dropping a table drops its indexes and constraints; children first because of foreign keys.
    op.drop_table('messages')
    op.drop_table('tickets')
    op.drop_table('reviews')
    op.drop_table('processed_events')
    op.drop_table('job_claims')
    op.drop_table('escalations')
    op.drop_table('csat_responses')
    op.drop_table('causes')
    op.drop_table('articles')
