"""SqlJobClaims: a lease per (job, period start), so one replica posts each scheduled run exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from adapters.db._sql import SqlRepository
from adapters.db.tables import JobClaimRow, table_of

CLAIMS = table_of(JobClaimRow)


def _key(job: str, period_start: datetime) -> list[ColumnElement[bool]]:
    return [CLAIMS.c.job == job, CLAIMS.c.period_start == period_start]


async def _rows(session: AsyncSession, stmt: Any) -> int:
    """How many rows a write touched, from RETURNING (rowcount is unreliable once RETURNING is implied)."""
    return len((await session.execute(stmt.returning(CLAIMS.c.id))).all())


class SqlJobClaims(SqlRepository):
    """Claims on the unique (job, period_start) row: insert it, or take over an expired unposted one."""

    async def claim(
        self, job: str, period_start: datetime, owner: str, ttl: timedelta, *, now: datetime | None = None
    ) -> bool:
        """Whether `owner` now holds the run: a new row, or an unposted row whose lease expired."""
        now = now or datetime.now(UTC)
        values = {
            "job": job,
            "period_start": period_start,
            "claimed_by": owner,
            "claimed_at": now,
            "expires_at": now + ttl,
        }
        async with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            # ON CONFLICT DO NOTHING: the loser of a race sees 0 rows instead of an aborted transaction.
            stmt = insert(CLAIMS).values(values)
            stmt = stmt.on_conflict_do_nothing(index_elements=["job", "period_start"])
            if await _rows(session, stmt):
                return True
            # One conditional UPDATE is atomic on both databases: PostgreSQL re-checks the WHERE after
            # waiting on the row lock, and SQLite runs one writer at a time.
            takeover = (
                update(CLAIMS)
                .where(*_key(job, period_start), CLAIMS.c.posted_at.is_(None), CLAIMS.c.expires_at <= now)
                .values(claimed_by=owner, claimed_at=now, expires_at=now + ttl)
            )
            return await _rows(session, takeover) == 1

    async def mark_posted(
        self, job: str, period_start: datetime, owner: str, *, now: datetime | None = None
    ) -> bool:
        """Record that the post succeeded; False if the claim is not (or no longer) the owner's."""
        stmt = (
            update(CLAIMS)
            .where(*_key(job, period_start), CLAIMS.c.claimed_by == owner, CLAIMS.c.posted_at.is_(None))
            .values(posted_at=now or datetime.now(UTC))
        )
        async with self._sessions.begin() as session:
            return await _rows(session, stmt) == 1

    async def posted_at(self, job: str, period_start: datetime) -> datetime | None:
        """When the run was posted, or None if it has not been."""
        stmt = select(CLAIMS.c.posted_at).where(and_(*_key(job, period_start)))
        async with self._sessions() as session:
            value: datetime | None = (await session.execute(stmt)).scalar_one_or_none()
        return value
