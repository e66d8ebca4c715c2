"""SQLModel tables: the only module that knows SQLModel. Repositories map these rows to core types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import Dialect
from sqlmodel import Field, SQLModel

# Named constraints let Alembic batch mode (SQLite table rebuilds) find and alter them by name.
SQLModel.metadata.naming_convention = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware UTC (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC, without an offset on SQLite so text order is time order."""
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: Fixloop stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the database kept."""
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json(factory: type = list) -> Any:
    """A JSON column (lists, dicts); each field needs its own Column object."""
    return Field(default_factory=factory, sa_column=sa.Column(sa.JSON(), nullable=False))


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    """A timezone-aware UTC timestamp column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _text(*, nullable: bool = False) -> Any:
    """An unbounded text column for message bodies and notes."""
    return Field(default="" if not nullable else None, sa_type=sa.Text, nullable=nullable)


def _version() -> Any:
    """The version an optimistic update checks and bumps (rows that predate it start at 1)."""
    return Field(default=1, nullable=False, sa_column_kwargs={"server_default": sa.text("1")})


def _partial(name: str, *columns: str, where: str, include: tuple[str, ...] = ()) -> sa.Index:
    """An index of only the rows where `where` holds: rows outside it cost no index writes. `include`:
    columns PostgreSQL keeps in the index too, so the reads that need only them never visit the table."""
    return sa.Index(name, *columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where),
                    postgresql_include=list(include))  # fmt: skip


def _sparse(column: str) -> sa.Index:
    """An index of the rows where a mostly empty column is set (KPI windows)."""
    return _partial(f"ix_tickets_{column}", column, where=f"{column} IS NOT NULL")


RANKED = ("surface", "status", "priority", "affected_users", "resolved_at", "closed_at", "id")


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    # Per-cause windows (deflection baselines, the digest's trend), the queue and a person's newest
    # tickets are index range scans at 1M tickets (migrations 0003, 0015).
    __table_args__ = (
        # The ranking and the per-cause windows read only these columns: index-only scans (migration 0020).
        _partial("ix_tickets_cause_key_created_at", "cause_key", "created_at", where="cause_key IS NOT NULL",
                 include=RANKED),
        sa.Index("ix_tickets_status_created_at", "status", "created_at"),
        sa.Index("ix_tickets_requester_created_at", "requester", "created_at"),
        sa.Index("ix_tickets_agent_created_at", "agent", "created_at"),
        *(_sparse(c) for c in ("escalated_at", "csat_at", "fix_notified_at")),
        # The backlog's parts: tickets never resolved, and tickets reopened (both a few percent).
        _partial("ix_tickets_unresolved_created_at", "created_at", where="resolved_at IS NULL",
                 include=("surface", "priority")),
        _partial("ix_tickets_reopened_created_at", "created_at", where="CAST(reopened_at AS TEXT) != '[]'",
                 include=("surface", "priority", "resolved_at", "closed_at", "reopened_at")),
    )

    id: str = Field(primary_key=True)
    surface: str
    created_at: datetime = _when(nullable=False, index=True)
    platform: str = "console"
    requester: str = ""
    subject: str = ""
    text: str = _text()
    priority: str = "normal"
    status: str = "new"
    thread_key: str | None = Field(default=None, unique=True)  # NULLs never collide
    chat: dict[str, str] = _json(dict)
    agents: list[str] = _json()
    agent: str | None = None  # the last of agents, copied to filter on it
    suggested_article_ids: list[str] = _json()
    first_bot_reply_at: datetime | None = _when()
    first_human_reply_at: datetime | None = _when()
    resolved_at: datetime | None = _when(index=True)
    resolution: str | None = None
    article_id: str | None = None
    reopened_at: list[str] = _json()  # ISO 8601 UTC strings
    closed_at: datetime | None = _when()
    escalated_at: datetime | None = _when()
    escalated_to: str | None = None
    escalation_judgement: str | None = None
    escalation_judged_at: datetime | None = _when()
    cause_key: str | None = None
    csat: int | None = None
    csat_at: datetime | None = _when()
    affected_users: int = 0
    source: str = "chat"
    fix_notified_at: datetime | None = _when()
    version: int = _version()
    reassignments: int = 0
    sla_started_at: datetime | None = _when()
    first_response_due_at: datetime | None = _when(index=True)  # the SLA watch's range scans
    resolution_due_at: datetime | None = _when(index=True)
    attachments: list[dict[str, Any]] = _json()  # references to files (core/attachments.py), never contents
    linked: list[str] = _json()


class MessageRow(SQLModel, table=True):
    __tablename__ = "messages"

    ticket_id: str = Field(
        sa_column=sa.Column(sa.String(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _when(nullable=False)
    role: str
    author: str
    text: str = _text()
    ref: str | None = Field(default=None, index=True)  # platform message id: edits and deletions
    edited_at: datetime | None = _when()
    deleted_at: datetime | None = _when()


class CauseRow(SQLModel, table=True):
    __tablename__ = "causes"

    key: str = Field(primary_key=True)
    title: str
    owner: str | None = None
    created_at: datetime | None = _when()
    root_cause_at: datetime | None = _when()
    root_cause: str | None = _text(nullable=True)
    fix_url: str | None = None
    fix_status: str = "none"
    fix_shipped_at: datetime | None = _when()
    key_phrases: list[str] = _json()
    named_by_person: bool = False
    fix_tracker: str | None = None
    fix_issue: str | None = Field(default=None, index=True)  # webhooks find the cause by its issue
    fix_changed_at: datetime | None = _when()
    fix_regressed_at: datetime | None = _when()
    fix_filed_at: datetime | None = _when()
    version: int = _version()


class ArticleRow(SQLModel, table=True):
    __tablename__ = "articles"

    id: str = Field(primary_key=True)
    title: str
    body: str = _text()
    surface: str | None = None
    tags: list[str] = _json()
    owner: str | None = None
    url: str | None = None
    solved_count: int = 0


class EscalationRow(SQLModel, table=True):
    __tablename__ = "escalations"

    id: str = Field(primary_key=True)
    ticket_id: str = Field(index=True)
    from_agent: str
    to_team: str
    reason: str = _text()
    created_at: datetime = _when(nullable=False, index=True)
    evidence: dict[str, Any] = _json(dict)
    suggested_team: str | None = None
    judgement: str | None = None
    judged_at: datetime | None = _when()
    judged_by: str | None = None
    version: int = _version()


class ReviewRow(SQLModel, table=True):
    __tablename__ = "reviews"

    id: str = Field(primary_key=True)
    ticket_id: str = Field(index=True)
    agent: str = Field(index=True)
    manager: str
    what_happened: str = _text()
    why_it_mattered: str = _text()
    what_good_looks_like: str = _text()
    what_changes_next: str = _text()
    created_at: datetime = _when(nullable=False)
    follow_up_at: datetime | None = _when()
    sent_to_agent: bool = False


class CsatResponseRow(SQLModel, table=True):
    __tablename__ = "csat_responses"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(index=True)
    score: int
    solved: bool
    at: datetime = _when(nullable=False)
    by: str


class InboxRow(SQLModel, table=True):
    """An inbound platform event, written before the platform gets its 2xx and marked done once handled.

    The unique (platform, event_id) makes a redelivery a no-op; a row left undone (the process died, the
    database went away mid-way) is replayed by the inbox sweeper until it is done or runs out of attempts.
    """

    __tablename__ = "inbox"
    __table_args__ = (sa.UniqueConstraint("platform", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    event_id: str
    payload: str = _text()
    state: str = Field(default="new", index=True)  # new, done, dead
    attempts: int = 0
    received_at: datetime = _when(nullable=False, index=True)  # indexed to prune old rows
    claimed_until: datetime | None = _when()
    done_at: datetime | None = _when()
    last_error: str | None = _text(nullable=True)


class OutboxRow(SQLModel, table=True):
    """An outbound post waiting to be delivered once, retried with backoff while the platform fails."""

    __tablename__ = "outbox"

    id: str = Field(primary_key=True)
    key: str = Field(unique=True)  # the idempotency key: one delivery per key, however often it is queued
    destination: str  # "slack" or "teams"
    kind: str  # "notice" or "post"
    payload: dict[str, Any] = _json(dict)
    state: str = Field(default="pending", index=True)  # pending, sent, superseded, dead
    attempts: int = 0
    created_at: datetime = _when(nullable=False)
    due_at: datetime = _when(nullable=False, index=True)
    claimed_until: datetime | None = _when()
    sent_at: datetime | None = _when()
    last_error: str | None = _text(nullable=True)


class JobClaimRow(SQLModel, table=True):
    """A lease on one run of a scheduled job, so one replica posts the weekly digest."""

    __tablename__ = "job_claims"
    __table_args__ = (sa.UniqueConstraint("job", "period_start"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str
    period_start: datetime = _when(nullable=False)
    claimed_by: str
    claimed_at: datetime = _when(nullable=False)
    expires_at: datetime = _when(nullable=False)
    posted_at: datetime | None = _when()


class TeamsConversationRow(SQLModel, table=True):
    """A stored Bot Framework conversation reference, so Fixloop can write to Teams without being asked."""

    __tablename__ = "teams_conversations"

    key: str = Field(primary_key=True)  # "conversation:<id>", "user:<id>" or "channel:<id>"
    reference: dict[str, Any] = _json(dict)
    updated_at: datetime = _when(nullable=False)



class ChartImageRow(SQLModel, table=True):
    """A digest's trend chart, served at /charts/<token>.png so a Teams card can show it by URL."""

    __tablename__ = "chart_images"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True)  # unguessable: the URL is public, the id is not in it
    png: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    created_at: datetime = _when(nullable=False, index=True)  # indexed to prune old charts


class ReviewAnswerRow(SQLModel, table=True):
    """A manager's answer to a review's follow-up: did the agreed change happen?"""

    __tablename__ = "review_answers"

    review_id: str = Field(
        sa_column=sa.Column(sa.String(), sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    )
    changed: bool
    note: str = _text()
    answered_by: str
    answered_at: datetime = _when(nullable=False)

class AuditRow(SQLModel, table=True):
    """One audited action (escalation, judgement, root cause, fix, review); rows are only ever added."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(nullable=False, index=True)
    who: str = Field(index=True)
    action: str
    ticket_id: str | None = Field(default=None, index=True)
    escalation_id: str | None = None
    cause_key: str | None = None
    review_id: str | None = None
    detail: str = _text()


class ConsoleLinkRow(SQLModel, table=True):
    """A one-time console sign-in link; only the SHA-256 of its token is kept."""

    __tablename__ = "console_links"

    token_hash: str = Field(primary_key=True)
    person: str
    created_at: datetime = _when(nullable=False)
    expires_at: datetime = _when(nullable=False, index=True)  # indexed to prune old links
    used_at: datetime | None = _when()


class ConsoleSessionRow(SQLModel, table=True):
    """A console browser session (or one that is signing in, person empty); the cookie holds its token."""

    __tablename__ = "console_sessions"

    token_hash: str = Field(primary_key=True)
    person: str | None = None
    via: str = ""
    csrf: str
    pending: dict[str, Any] = _json(dict)  # an OpenID Connect sign-in under way: state, nonce, verifier
    created_at: datetime = _when(nullable=False)
    expires_at: datetime = _when(nullable=False, index=True)


metadata = SQLModel.metadata


class ArticleDraftRow(SQLModel, table=True):
    """An article drafted from a knowledge gap's tickets, waiting for its owner's Publish or Discard."""

    __tablename__ = "article_drafts"

    id: str = Field(primary_key=True)
    gap_key: str = Field(index=True)
    status: str = "draft"
    data: dict[str, Any] = _json(dict)  # title, problem, symptoms, steps, cause, owner, surface, tickets
    created_at: datetime = _when(nullable=False)
    decided_at: datetime | None = _when()
    decided_by: str | None = None
    article_id: str | None = None


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a row class, for the typed insert/upsert statements of the repositories."""
    return model.__table__  # type: ignore[attr-defined, no-any-return]


class ModelSnapshotRow(SQLModel, table=True):
    """One stored version of a learnt model (suggestions, routing, causes): fitted once, loaded by every
    process (see adapters/model_keeper.py). The blob is .npz + JSON (adapters/search/codec.py), no pickle."""

    __tablename__ = "model_snapshots"
    __table_args__ = (sa.UniqueConstraint("kind", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    version: int
    fitted_at: datetime = _when(nullable=False)
    examples: int = 0  # the history it learnt from (lessons, escalations or cause documents)
    watermark: datetime | None = _when()  # history up to this instant is in it
    meta: dict[str, Any] = _json(dict)  # e.g. the articles it knew, how long the fit took
    digest: str  # SHA-256 of the blob: a truncated or altered blob is refused before it is parsed
    blob: bytes = Field(sa_type=sa.LargeBinary, nullable=False)


from adapters.db import incident_tables as incident_tables  # noqa: E402  (its rows join this metadata)
