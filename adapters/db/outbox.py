"""SqlOutbox: outbound posts stored first, delivered by a dispatcher, once per idempotency key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import SqlRepository
from adapters.db.tables import OutboxRow, table_of
from adapters.queues import OutboxItem

__all__ = ["OutboxItem", "SqlOutbox"]

OUTBOX = table_of(OutboxRow)
LEASE = timedelta(seconds=60)  # a dispatcher that died mid-send releases its rows after this


async def _touched(session: AsyncSession, stmt: Any) -> list[Any]:
    return list((await session.execute(stmt.returning(OUTBOX.c.id))).scalars())


async def _put(session: AsyncSession, values: dict[str, Any]) -> bool:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(OUTBOX).values(values).on_conflict_do_nothing(index_elements=["key"])
    return bool(await _touched(session, stmt))


class SqlOutbox(SqlRepository):
    """The outbox table: unique key, a due time, a lease per dispatcher, and a sent mark."""

    lease: timedelta = LEASE  # set per runtime from FIXLOOP_LEASE_SECONDS

    async def put(
        self,
        key: str,
        destination: str,
        kind: str,
        payload: dict[str, Any],
        *,
        now: datetime | None = None,
        session: AsyncSession | None = None,
    ) -> bool:
        """Queue a post; False when a post with this key was queued before (it is not queued twice).

        With `session` (a unit of work's), the row commits or rolls back with the change it reports.
        """
        now = now or datetime.now(UTC)
        values = {
            "id": uuid.uuid4().hex,
            "key": key,
            "destination": destination,
            "kind": kind,
            "payload": payload,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "due_at": now,
        }
        if session is not None:
            return await _put(session, values)
        async with self._sessions.begin() as own:
            return await _put(own, values)

    async def claim(self, *, limit: int = 20, now: datetime | None = None) -> list[OutboxItem]:
        """Take the lease on due posts, oldest first; two dispatchers never take the same one.

        One UPDATE ... RETURNING whose WHERE is re-checked on each row it locks (SKIP LOCKED on
        PostgreSQL lets concurrent dispatchers take different rows instead of waiting).
        """
        now = now or datetime.now(UTC)
        ready = (
            OUTBOX.c.state == "pending",
            OUTBOX.c.due_at <= now,
            OUTBOX.c.claimed_until.is_(None) | (OUTBOX.c.claimed_until <= now),
        )
        ids = (
            select(OUTBOX.c.id)
            .where(*ready)
            .order_by(OUTBOX.c.due_at, OUTBOX.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids.scalar_subquery()), *ready)
            .values(claimed_until=now + self.lease, attempts=OUTBOX.c.attempts + 1)
            .returning(OUTBOX)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(stmt)).all()
        return [
            OutboxItem(
                r.id, r.key, r.destination, r.kind, r.payload, r.attempts - 1, r.last_error, r.created_at
            )
            for r in sorted(rows, key=lambda r: r.created_at)
        ]

    async def sent(self, item_id: str, *, now: datetime | None = None) -> None:
        """Mark a post delivered."""
        await self._set(item_id, state="sent", sent_at=now or datetime.now(UTC), claimed_until=None)

    async def superseded(self, item_ids: list[str], *, now: datetime | None = None) -> None:
        """Close redraws without delivering them, in one statement: newer redraws of the same posts are."""
        if not item_ids:
            return
        values = {"state": "superseded", "sent_at": now or datetime.now(UTC), "claimed_until": None}
        async with self._sessions.begin() as session:
            await session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(item_ids)).values(**values))

    async def retry(self, item_id: str, error: str, delay: timedelta, *, now: datetime | None = None) -> None:
        """Put a failed post back, due again after `delay`."""
        now = now or datetime.now(UTC)
        await self._set(
            item_id,
            due_at=now + delay,
            claimed_until=None,
            last_error=error[:2000],
        )

    async def give_up(self, item_id: str, error: str) -> None:
        """Stop retrying a post (kept, with its error, for an operator to see)."""
        await self._set(item_id, state="dead", claimed_until=None, last_error=error[:2000])

    async def _set(self, item_id: str, **values: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(update(OUTBOX).where(OUTBOX.c.id == item_id).values(**values))

    async def depth(self) -> dict[str, int]:
        """Posts per state (pending is the outbox depth on /metrics)."""
        async with self._sessions() as session:
            rows = await session.execute(select(OUTBOX.c.state, func.count()).group_by(OUTBOX.c.state))
        return {state: int(n) for state, n in rows}

    async def next_due(self) -> datetime | None:
        """When the next pending post falls due, so the dispatcher sleeps exactly until then."""
        async with self._sessions() as session:
            stmt = select(func.min(OUTBOX.c.due_at)).where(OUTBOX.c.state == "pending")
            value: datetime | None = (await session.execute(stmt)).scalar_one_or_none()
        return value

    async def get(self, key: str) -> dict[str, Any] | None:
        """A post's row by key (for tests and operators)."""
        async with self._sessions() as session:
            row = (await session.execute(select(OUTBOX).where(OUTBOX.c.key == key))).one_or_none()
        return dict(row._mapping) if row else None
