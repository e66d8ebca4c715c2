"""SqlUnitOfWork: one session per use case; its changes, outbox rows and audit entries commit together."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import Sessions
from adapters.db.articles import SqlArticleRepository
from adapters.db.audit import SqlAuditLog
from adapters.db.causes import SqlCauseRepository
from adapters.db.csat import SqlCsatRepository
from adapters.db.drafts import SqlDraftRepository
from adapters.db.escalations import SqlEscalationRepository
from adapters.db.incidents import SqlIncidentRepository
from adapters.db.reviews import SqlReviewRepository
from adapters.db.tickets import SqlTicketRepository
from core.errors import Conflict
from core.ports import Notice, Notifier

log = logging.getLogger("fixloop.db")


RACES = ("40001", "40P01")  # PostgreSQL: serialization failure, deadlock detected (two writers crossed)


def _lost_a_race(exc: DBAPIError) -> bool:
    """Whether the database refused the transaction because another one touched the same rows."""
    code = getattr(exc.orig, "sqlstate", None)
    return code in RACES or "database is locked" in str(exc.orig)


class Outbox(Protocol):
    """Where notices for the chat platforms are stored (adapters.outbox.notifier.OutboxNotifier)."""

    async def stage(self, notice: Notice, session: AsyncSession | None = None) -> None: ...
    def queued(self, notice: Notice) -> None: ...


class SqlUnitOfWork:
    """A use case's transaction: its changes and its notices' outbox rows commit together, at `commit`."""

    # After the commit, notices also go to `notifier` (the log, the terminal chat): its failures cannot
    # undo the change.

    def __init__(self, sessions: Sessions, *, outbox: Outbox | None = None, notifier: Notifier | None = None):
        self._sessions, self._outbox, self._notifier = sessions, outbox, notifier
        self._session: AsyncSession | None = None
        self._notices: list[Notice] = []

    async def __aenter__(self) -> SqlUnitOfWork:
        session = self._session = self._sessions()
        self._notices = []
        self.tickets = SqlTicketRepository(self._sessions, session=session)
        self.causes = SqlCauseRepository(self._sessions, session=session)
        self.articles = SqlArticleRepository(self._sessions, session=session)
        self.escalations = SqlEscalationRepository(self._sessions, session=session)
        self.reviews = SqlReviewRepository(self._sessions, session=session)
        self.csat = SqlCsatRepository(self._sessions, session=session)
        self.audit = SqlAuditLog(self._sessions, session=session)
        self.drafts = SqlDraftRepository(self._sessions, session=session)  # core.knowledge.KnowledgeUnit
        self.incidents = SqlIncidentRepository(self._sessions, session=session)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back what was not committed and give the connection back."""
        session, self._session = self._session, None
        if session is not None:
            try:
                await session.rollback()
            finally:
                await session.close()
        if isinstance(exc, DBAPIError) and _lost_a_race(exc):
            raise Conflict(f"the transaction lost a race: {type(exc.orig).__name__}") from exc

    async def commit(self) -> None:
        """Write the queued notices' outbox rows, commit everything at once, then hand the notices on."""
        if self._session is None:
            raise RuntimeError("commit outside `async with` of the unit of work")
        notices, self._notices = self._notices, []
        if self._outbox is not None:
            for notice in notices:
                await self._outbox.stage(notice, self._session)
        await self._session.commit()
        for notice in notices:
            await self._hand_on(notice)

    def notify(self, notice: Notice) -> None:
        """Queue a notice to go out with this unit's change."""
        self._notices.append(notice)

    async def _hand_on(self, notice: Notice) -> None:
        if self._outbox is not None:
            self._outbox.queued(notice)
        if self._notifier is None:
            return
        try:
            await self._notifier.send(notice)
        except Exception:  # the change and its outbox rows are committed; this is only a trace
            log.exception("notice %s for %s not handed on", notice.kind, notice.ticket_id)
