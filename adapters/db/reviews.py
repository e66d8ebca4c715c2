"""SqlReviewRepository: ticket reviews written by managers, with the answer to each one's follow-up."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import SqlRepository, affected, upsert
from adapters.db.tables import ReviewAnswerRow, ReviewRow, table_of
from core.coaching import FollowUpAnswer, Review
from core.errors import Conflict

REVIEWS = table_of(ReviewRow)
ANSWERS = table_of(ReviewAnswerRow)
_REVIEW_FIELDS = [f.name for f in fields(Review) if f.name != "answer"]


def _query() -> Select[Any]:
    answer = [
        ANSWERS.c.changed,
        ANSWERS.c.note,
        ANSWERS.c.answered_by,
        ANSWERS.c.answered_at,
    ]
    joined = REVIEWS.outerjoin(ANSWERS, ANSWERS.c.review_id == REVIEWS.c.id)
    return select(*(REVIEWS.c[n] for n in _REVIEW_FIELDS), *answer).select_from(joined)


def _review(row: RowMapping) -> Review:
    answer = None
    if row["answered_at"] is not None:
        answer = FollowUpAnswer(bool(row["changed"]), row["answered_by"], row["answered_at"], row["note"])
    return Review(**{n: row[n] for n in _REVIEW_FIELDS}, answer=answer)


async def _answer_once(session: AsyncSession, answer: dict[str, Any]) -> None:
    """Store a follow-up's answer; Conflict when another one is stored already (the first stands)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ANSWERS).values(answer).on_conflict_do_nothing(index_elements=["review_id"])
    if await affected(session, stmt) == 1:
        return
    query = select(ANSWERS).where(ANSWERS.c.review_id == answer["review_id"])
    stored = (await session.execute(query)).mappings().one()
    if {k: stored[k] for k in answer} != answer:
        raise Conflict(f"review {answer['review_id']} was answered meanwhile")


class SqlReviewRepository(SqlRepository):
    """Reviews; `save` is an upsert by id, and writes the follow-up answer when the review has one."""

    async def save(self, review: Review) -> None:
        """Insert or update a review and its answer, in one transaction."""
        values = {k: v for k, v in asdict(review).items() if k != "answer"}  # every field a plain value
        async with self._writing() as session:
            await upsert(session, REVIEWS, values, ["id"])
            a = review.answer
            if a is not None:
                answer = {
                    "review_id": review.id,
                    "changed": a.changed,
                    "note": a.note,
                    "answered_by": a.by,
                    "answered_at": a.at,
                }
                await _answer_once(session, answer)

    async def get(self, review_id: str) -> Review | None:
        """One review by id, with its answer."""
        async with self._reading() as session:
            row = (await session.execute(_query().where(REVIEWS.c.id == review_id))).mappings().first()
        return _review(row) if row else None

    async def list(self, *, agent: str | None = None) -> list[Review]:
        """Reviews, of one agent if given, oldest first, with their answers."""
        stmt = _query().order_by(REVIEWS.c.created_at, REVIEWS.c.id)
        if agent is not None:
            stmt = stmt.where(REVIEWS.c.agent == agent)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
        return [_review(row) for row in rows]
