"""SqlInbox: inbound events written before they are acknowledged, handled once, replayed until done."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from adapters.db._sql import SqlRepository
from adapters.db.tables import InboxRow, table_of
from adapters.db.write_gate import URGENT
from adapters.queues import MAX_ATTEMPTS, UNAVAILABLE, Accepted, InboxEvent

__all__ = ["MAX_ATTEMPTS", "UNAVAILABLE", "Accepted", "InboxEvent", "SqlInbox"]

INBOX = table_of(InboxRow)
LEASE = timedelta(seconds=60)  # how long one handler owns an event before a sweeper may replay it


async def _touched(session: AsyncSession, stmt: Any) -> list[Any]:
    """The ids a write touched (RETURNING: rowcount is unreliable once RETURNING is implied)."""
    return list((await session.execute(stmt.returning(INBOX.c.id))).scalars())


@cache
def _insert_new(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id for one dialect (no row back: already stored)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(INBOX).on_conflict_do_nothing(index_elements=["platform", "event_id"])
    return stmt.returning(INBOX.c.id)


_KEY = (INBOX.c.platform == bindparam("k_platform"), INBOX.c.event_id == bindparam("k_event"))
_TAKE = (  # a stored event whose lease expired: this delivery handles it again
    update(INBOX)
    .where(*_KEY, INBOX.c.state == "new", INBOX.c.claimed_until <= bindparam("now"))
    .values(claimed_until=bindparam("until"), attempts=INBOX.c.attempts + 1)
    .returning(INBOX.c.id)
)
_STATE = select(INBOX.c.id, INBOX.c.state).where(*_KEY)


@asynccontextmanager
async def _statements(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for the acknowledgement's statements, each atomic and conditional on its own.

    PostgreSQL: autocommit, so the insert is one round trip (no BEGIN, no COMMIT) and returns once the
    row is durable, as a commit would. SQLite: one transaction (a shared in-memory connection must not
    change mode under another session, and a local file has no round trips to save).
    """
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            yield await conn.execution_options(**{URGENT: True})  # ahead of the handlers' writes
        return
    async with engine.connect() as conn:
        yield await conn.execution_options(isolation_level="AUTOCOMMIT")


class SqlInbox(SqlRepository):
    """The inbox table: unique (platform, event_id), a lease per handler, and a done mark."""

    lease: timedelta = LEASE  # set per runtime from FIXLOOP_LEASE_SECONDS

    @property
    def _engine(self) -> AsyncEngine:
        """The engine the sessions are bound to (an acknowledgement uses a Core connection of it)."""
        return cast(AsyncEngine, self._sessions.kw["bind"])

    async def accept(
        self, platform: str, event_id: str, payload: str, *, queued: bool = False, now: datetime | None = None
    ) -> tuple[Accepted, int]:
        """Write the event (or find it); raise if the database cannot take it, so the platform retries.

        Handled here (queued=False): the caller holds the lease. Queued: any worker may take it at once,
        and a redelivery of a stored event is never taken here (the workers own it).
        """
        now = now or datetime.now(UTC)
        values = {
            "platform": platform,
            "event_id": event_id,
            "payload": payload,
            "state": "new",
            "attempts": 0 if queued else 1,
            "received_at": now,
            "claimed_until": now if queued else now + self.lease,
        }
        key = {"k_platform": platform, "k_event": event_id}
        async with _statements(self._engine) as conn:
            inserted = (await conn.execute(_insert_new(conn.dialect.name), values)).scalar()
            if inserted is not None:
                return Accepted.NEW, int(inserted)
            if not queued:
                taken = (await conn.execute(_TAKE, {**key, "now": now, "until": now + self.lease})).scalar()
                if taken is not None:
                    return Accepted.RETRY, int(taken)
            row = (await conn.execute(_STATE, key)).one()
        return (Accepted.BUSY if row.state == "new" else Accepted.DONE), int(row.id)

    async def done(self, event_id: int, *, now: datetime | None = None) -> None:
        """Mark an event handled: it is never handled again."""
        stmt = (
            update(INBOX).where(INBOX.c.id == event_id).values(state="done", done_at=now or datetime.now(UTC))
        )
        async with self._sessions.begin() as session:
            await session.execute(stmt)

    async def failed(self, event_id: int, error: str, *, now: datetime | None = None) -> bool:
        """Release the lease after a failure so it is replayed after a backoff; False once given up."""
        now = now or datetime.now(UTC)
        async with self._sessions.begin() as session:
            attempts = (
                await session.execute(select(INBOX.c.attempts).where(INBOX.c.id == event_id))
            ).scalar_one_or_none()
            if attempts is None:
                return False
            dead = attempts >= MAX_ATTEMPTS
            delay = timedelta(seconds=min(300, 2**attempts))
            await session.execute(
                update(INBOX)
                .where(INBOX.c.id == event_id, INBOX.c.state == "new")
                .values(state="dead" if dead else "new", claimed_until=now + delay, last_error=error[:2000])
            )
        return not dead

    async def due(self, *, limit: int = 50, now: datetime | None = None) -> list[InboxEvent]:
        """Take the lease on undone events nobody holds (queued, or their handler died or failed).

        One UPDATE ... RETURNING: the WHERE is re-checked on each row it locks, so two workers never
        take the same event; on PostgreSQL, SKIP LOCKED lets them take different ones without waiting.
        """
        now = now or datetime.now(UTC)
        free = (INBOX.c.state == "new", INBOX.c.claimed_until <= now)
        ids = (
            select(INBOX.c.id)
            .where(*free)
            .order_by(INBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(INBOX)
            .where(INBOX.c.id.in_(ids.scalar_subquery()), *free)
            .values(claimed_until=now + self.lease, attempts=INBOX.c.attempts + 1)
            .returning(INBOX.c.id, INBOX.c.platform, INBOX.c.event_id, INBOX.c.payload, INBOX.c.attempts)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(stmt)).all()
        return sorted((InboxEvent(*row) for row in rows), key=lambda e: e.id)

    async def counts(self) -> dict[str, int]:
        """Rows per state, for /metrics and tests."""
        async with self._sessions() as session:
            rows = await session.execute(select(INBOX.c.state, func.count()).group_by(INBOX.c.state))
        return {state: int(n) for state, n in rows}

    async def prune(
        self,
        older_than: timedelta,
        *,
        platforms: tuple[str, ...] = ("slack", "teams"),
        now: datetime | None = None,
    ) -> int:
        """Forget done events older than Slack's and Bot Framework's retry windows; keep the rest."""
        cutoff = (now or datetime.now(UTC)) - older_than
        stmt = delete(INBOX).where(
            INBOX.c.state == "done", INBOX.c.received_at < cutoff, INBOX.c.platform.in_(platforms)
        )
        async with self._sessions.begin() as session:
            return len(await _touched(session, stmt))
