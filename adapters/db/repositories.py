"""The SQL implementations of the repository ports in core/ports.py, and a bundle of all of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db._sql import DuplicateKey, Sessions
from adapters.db.articles import SqlArticleRepository
from adapters.db.audit import SqlAuditLog
from adapters.db.causes import SqlCauseRepository
from adapters.db.csat import SqlCsatRepository
from adapters.db.engine import make_sessionmaker
from adapters.db.escalations import SqlEscalationRepository
from adapters.db.inbox import SqlInbox
from adapters.db.incidents import SqlIncidentRepository
from adapters.db.outbox import SqlOutbox
from adapters.db.reports import SqlReports
from adapters.db.reviews import SqlReviewRepository
from adapters.db.tickets import SqlTicketRepository
from adapters.db.uow import Outbox, SqlUnitOfWork
from core.ports import Notifier

__all__ = [
    "DuplicateKey",
    "SqlArticleRepository",
    "SqlAuditLog",
    "SqlCauseRepository",
    "SqlCsatRepository",
    "SqlEscalationRepository",
    "SqlInbox",
    "SqlOutbox",
    "SqlRepositories",
    "SqlReviewRepository",
    "SqlTicketRepository",
    "SqlUnitOfWork",
]


@dataclass(frozen=True)
class SqlRepositories:
    """Every SQL repository over one database, for the composition root and tests."""

    tickets: SqlTicketRepository
    causes: SqlCauseRepository
    articles: SqlArticleRepository
    escalations: SqlEscalationRepository
    reviews: SqlReviewRepository
    csat: SqlCsatRepository
    inbox: SqlInbox
    outbox: SqlOutbox
    audit: SqlAuditLog
    reports: SqlReports
    sessions: Sessions
    incidents: SqlIncidentRepository

    @classmethod
    def build(cls, sessions: Sessions | AsyncEngine) -> SqlRepositories:
        """All repositories sharing one session factory."""
        if isinstance(sessions, AsyncEngine):
            sessions = make_sessionmaker(sessions)
        return cls(
            tickets=SqlTicketRepository(sessions),
            causes=SqlCauseRepository(sessions),
            articles=SqlArticleRepository(sessions),
            escalations=SqlEscalationRepository(sessions),
            reviews=SqlReviewRepository(sessions),
            csat=SqlCsatRepository(sessions),
            inbox=SqlInbox(sessions),
            outbox=SqlOutbox(sessions),
            audit=SqlAuditLog(sessions),
            reports=SqlReports(sessions),
            sessions=sessions,
            incidents=SqlIncidentRepository(sessions),
        )

    def unit_of_work(
        self, *, outbox: Outbox | None = None, notifier: Notifier | None = None
    ) -> SqlUnitOfWork:
        """A unit of work on this database (one per use-case call)."""
        return SqlUnitOfWork(self.sessions, outbox=outbox, notifier=notifier)
