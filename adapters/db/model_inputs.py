"""What the learnt models are fitted from, read with only the columns they need and bounded in count.

A fit at a million tickets must not load every ticket with its messages: each read here selects a few
columns, newest first, up to a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, or_, select

from adapters.db._sql import SqlRepository
from adapters.db.tables import MessageRow, TicketRow, table_of
from core.kb import NO_ARTICLE
from core.tickets import ASKED_FOR_A_PERSON, Resolution, Role

TICKETS, MESSAGES = table_of(TicketRow), table_of(MessageRow)
LIMIT = 100_000  # newest examples a fit learns from: bounds its time and memory at any history size


def _text() -> Any:
    return func.coalesce(func.nullif(TICKETS.c.text, ""), TICKETS.c.subject)


def _asked_for_person() -> Any:
    return exists().where(MESSAGES.c.ticket_id == TICKETS.c.id, MESSAGES.c.role == Role.SYSTEM.value,
                          MESSAGES.c.text == ASKED_FOR_A_PERSON)


class SqlModelInputs(SqlRepository):
    """Training examples and history growth, straight from the tickets table."""

    limit = LIMIT  # the newest examples a fit reads (FIXLOOP_FIT_EXAMPLES)

    async def lessons(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(text, article_id) the suggestion ranker learns from, oldest first: solved_history and
        declined_history of core/kb.py, as SQL."""
        solved = and_(TICKETS.c.resolution == Resolution.ARTICLE.value, TICKETS.c.article_id.is_not(None),
                      TICKETS.c.article_id != "")
        declined = and_(TICKETS.c.resolution.in_([Resolution.AGENT.value, Resolution.FIX.value]),
                        or_(TICKETS.c.article_id.is_(None), TICKETS.c.article_id == ""),
                        cast(TICKETS.c.suggested_article_ids, String) != "[]", _asked_for_person())
        stmt = (select(_text(), TICKETS.c.article_id, TICKETS.c.resolution)
                .where(or_(solved, declined), _text() != "")
                .order_by(TICKETS.c.resolved_at.desc(), TICKETS.c.id.desc()).limit(limit or self.limit))
        async with self._reading() as session:
            rows = (await session.execute(stmt)).all()
        return [(str(text), str(aid) if resolution == Resolution.ARTICLE.value else NO_ARTICLE)
                for text, aid, resolution in reversed(rows)]

    async def escalations(self, limit: int | None = None) -> list[tuple[str, str, str | None]]:
        """(text, escalated_to, judgement) of past escalations, oldest first, for team routing."""
        t = TICKETS.c
        stmt = (select(t.subject, t.text, t.escalated_to, t.escalation_judgement)
                .where(TICKETS.c.escalated_to.is_not(None), TICKETS.c.escalated_to != "")
                .order_by(TICKETS.c.created_at.desc(), TICKETS.c.id.desc()).limit(limit or self.limit))
        async with self._reading() as session:
            rows = (await session.execute(stmt)).all()
        return [(f"{subject} {text}", str(to), judgement) for subject, text, to, judgement in reversed(rows)]

    async def cause_texts(self, keys: Sequence[str], per_cause: int) -> dict[str, list[str]]:
        """Each cause's newest ticket texts, newest first (what CauseMatcher indexes)."""
        rank = func.row_number().over(partition_by=TICKETS.c.cause_key,
                                      order_by=(TICKETS.c.created_at.desc(), TICKETS.c.id.desc()))
        inner = (select(TICKETS.c.cause_key, TICKETS.c.subject, TICKETS.c.text, rank.label("rank"))
                 .where(TICKETS.c.cause_key.in_(list(keys))).subquery())
        stmt = select(inner.c.cause_key, inner.c.subject, inner.c.text).where(inner.c.rank <= per_cause) \
            .order_by(inner.c.cause_key, inner.c.rank)
        out: dict[str, list[str]] = {key: [] for key in keys}
        async with self._reading() as session:
            for key, subject, text in (await session.execute(stmt)).all():
                out[str(key)].append(f"{subject} {text}")
        return out

    async def resolved(self) -> int:
        """How many tickets are resolved (a count over the resolved_at index): history growth, imports of
        old tickets included, which a look at recent resolution times would miss."""
        stmt = select(func.count(TICKETS.c.resolved_at))
        async with self._reading() as session:
            return int((await session.execute(stmt)).scalar_one())

    async def escalation_events(self) -> int:
        """Escalations made plus escalations judged: when it moves, routing has something new to learn."""
        stmt = select(func.count(TICKETS.c.escalated_to) + func.count(TICKETS.c.escalation_judgement))
        async with self._reading() as session:
            return int((await session.execute(stmt)).scalar_one())

    async def newest_resolution(self) -> datetime | None:
        """The latest resolved_at: the watermark a fit covers."""
        async with self._reading() as session:
            value: datetime | None = (await session.execute(select(func.max(TICKETS.c.resolved_at)))).scalar()
        return value
