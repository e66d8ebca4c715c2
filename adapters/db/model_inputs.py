"""What the learnt models are fitted from, read with only the columns they need and bounded in count.

A fit at a million tickets must not load every ticket with its messages: each read here selects a few
columns, newest first, up to a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, case, cast, exists, func, or_, select
from sqlalchemy.sql.elements import BindParameter

from adapters.db._sql import SqlRepository
from adapters.db.tables import MessageRow, TicketRow, table_of
from core.cause_matching import FLOOR
from core.kb import NO_ARTICLE
from core.tickets import ASKED_FOR_A_PERSON, Resolution, Role

TICKETS, MESSAGES = table_of(TicketRow), table_of(MessageRow)
LIMIT = 100_000  # newest examples a fit learns from: bounds its time and memory at any history size


def _text() -> Any:
    return func.coalesce(func.nullif(TICKETS.c.text, ""), TICKETS.c.subject)


def _asked_for_person() -> Any:
    return exists().where(MESSAGES.c.ticket_id == TICKETS.c.id, MESSAGES.c.role == Role.SYSTEM.value,
                          MESSAGES.c.text == ASKED_FOR_A_PERSON)


def _solved() -> Any:
    return and_(TICKETS.c.resolution == Resolution.ARTICLE.value, TICKETS.c.article_id.is_not(None),
                TICKETS.c.article_id != "")


def _declined() -> Any:
    return and_(TICKETS.c.resolution.in_([Resolution.AGENT.value, Resolution.FIX.value]),
                or_(TICKETS.c.article_id.is_(None), TICKETS.c.article_id == ""),
                cast(TICKETS.c.suggested_article_ids, String) != "[]", _asked_for_person())


def cause_text_rows(keys: Sequence[str], per_cause: int, limit: int | None) -> Select[Any]:
    """(cause_key, subject, text) of each cause's newest tickets, by cause and newest first: at most
    per_cause each and `limit` in all, each cause's FLOOR newest first (core.cause_matching.newest_texts)."""
    t = TICKETS.c
    # Ranked and chosen on (id, time) alone, over the (cause_key, created_at) index; only the chosen rows'
    # texts are read: a million tickets' texts never pass through the sort.
    rank = func.row_number().over(partition_by=t.cause_key, order_by=(t.created_at.desc(), t.id))
    # The keys are rendered into the statement (escaped by the dialect), not bound one parameter each:
    # SQLite refuses more than 32,766 parameters (250,000 in Debian's build), and causes can outnumber that.
    every: BindParameter[list[str]] = bindparam("keys", list(keys), expanding=True, literal_execute=True)
    ranked = select(t.id, t.created_at, rank.label("rank")).where(t.cause_key.in_(every)).subquery()
    chosen = (select(ranked.c.id).where(ranked.c.rank <= per_cause)
              .order_by(case((ranked.c.rank <= FLOOR, 0), else_=1), ranked.c.created_at.desc(), ranked.c.id)
              .limit(limit).subquery())
    return (select(t.cause_key, t.subject, t.text).join_from(TICKETS, chosen, chosen.c.id == t.id)
            .order_by(t.cause_key, t.created_at.desc(), t.id))


def texts_by_cause(keys: Sequence[str], rows: Sequence[Any]) -> dict[str, list[str]]:
    """cause_text_rows' rows as each cause's texts ("subject text"), newest first."""
    out: dict[str, list[str]] = {key: [] for key in keys}
    for key, subject, text in rows:
        out[str(key)].append(f"{subject} {text}")
    return out


class SqlModelInputs(SqlRepository):
    """Training examples and history growth, straight from the tickets table."""

    limit = LIMIT  # the newest examples a fit reads (FIXLOOP_FIT_EXAMPLES)

    async def lessons(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(text, article_id) the suggestion ranker learns from, oldest first: solved_history and
        declined_history of core/kb.py, as SQL."""
        stmt = (select(_text(), TICKETS.c.article_id, TICKETS.c.resolution)
                .where(or_(_solved(), _declined()), _text() != "")
                .order_by(TICKETS.c.resolved_at.desc(), TICKETS.c.id.desc()).limit(limit or self.limit))
        async with self._reading() as session:
            rows = (await session.execute(stmt)).all()
        return [(str(text), str(aid) if resolution == Resolution.ARTICLE.value else NO_ARTICLE)
                for text, aid, resolution in reversed(rows)]

    async def asked(self, limit: int) -> list[tuple[str, bool | None]]:
        """The questions people asked most recently (newest `limit` tickets' texts), whatever became of them,
        each with whether an article fitted it where a lesson says so (solved by one: True; a person after
        "I still need help": False; else None): the traffic the suggestion ranker's abstention follows."""
        known = case((_solved(), True), (_declined(), False), else_=None)
        # created_at alone, so both databases walk ix_tickets_created_at backwards and stop at the limit
        stmt = select(_text(), known).where(_text() != "").order_by(TICKETS.c.created_at.desc()).limit(limit)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).all()
        return [(str(text), None if fits is None else bool(fits)) for text, fits in reversed(rows)]

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
        """Each cause's newest ticket texts, newest first, `limit` in all (what CauseMatcher indexes)."""
        stmt = cause_text_rows(keys, per_cause, self.limit)
        async with self._reading() as session:
            return texts_by_cause(keys, (await session.execute(stmt)).all())

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
