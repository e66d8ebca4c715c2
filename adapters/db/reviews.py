"""SqlReviewRepository: ticket reviews written by managers."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from adapters.db._sql import SqlRepository, upsert
from adapters.db.tables import ReviewRow, table_of
from core.coaching import Review

REVIEWS = table_of(ReviewRow)


class SqlReviewRepository(SqlRepository):
    """Reviews; `save` is an upsert by id."""

    async def save(self, review: Review) -> None:
        """Insert or update a review."""
        async with self._sessions.begin() as session:
            await upsert(session, REVIEWS, asdict(review), ["id"])  # every field is a plain value

    async def list(self, *, agent: str | None = None) -> list[Review]:
        """Reviews, of one agent if given, oldest first."""
        stmt = select(REVIEWS).order_by(REVIEWS.c.created_at, REVIEWS.c.id)
        if agent is not None:
            stmt = stmt.where(REVIEWS.c.agent == agent)
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).mappings().all()
        return [Review(**row) for row in rows]
