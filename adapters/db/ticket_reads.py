"""Bounded reads of the tickets table: pages of clustering texts, each cause's newest texts, gap candidates.

None of them loads every ticket with its messages: a page is a keyset range over (created_at, id), the
others select only the rows their caller needs, newest first up to a cap.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.model_inputs import _asked_for_person, cause_text_rows, texts_by_cause
from adapters.db.tables import TicketRow, table_of
from core.cause_engine import ClusterDoc
from core.tickets import Resolution, Status

TICKETS = table_of(TicketRow)


async def cluster_docs(session: AsyncSession, after: tuple[datetime, str] | None,
                       limit: int) -> list[ClusterDoc]:
    """The next `limit` tickets after (created_at, id), oldest first: id, text, surface, cause, time."""
    t = TICKETS.c
    stmt = select(t.id, t.subject, t.text, t.surface, t.cause_key, t.created_at) \
        .order_by(t.created_at, t.id).limit(limit)
    if after is not None:
        # `created_at >= at` on its own is the index range that starts the page where the last one ended
        # (16 ms a page at 1M tickets on PostgreSQL); the OR alone would scan from the first ticket (0.9 s).
        at, last = after  # not a row-value comparison: this form binds with the column's own type
        stmt = stmt.where(t.created_at >= at, or_(t.created_at > at, t.id > last))
    intern = sys.intern  # a million rows share a few surfaces and causes: one string each
    return [ClusterDoc(str(i), f"{subject} {text}".strip(), intern(str(surface)),
                       intern(cause) if cause else None, at)
            for i, subject, text, surface, cause, at in (await session.execute(stmt)).all()]


async def cause_texts(session: AsyncSession, keys: Sequence[str], per_cause: int,
                      limit: int | None) -> dict[str, list[str]]:
    """Each cause's newest ticket texts ("subject text"), newest first, at most per_cause each and `limit`
    in all (core.cause_matching.newest_texts)."""
    return texts_by_cause(keys, (await session.execute(cause_text_rows(keys, per_cause, limit))).all())


def gap_candidates(since: datetime | None, limit: int) -> Select[Any]:
    """Resolved tickets a person solved with no article (core.gaps.solved_without_article), newest first."""
    t = TICKETS.c
    after_help = and_(t.resolution == Resolution.FIX.value, cast(t.suggested_article_ids, String) != "[]",
                      _asked_for_person())
    stmt = (select(TICKETS)
            .where(t.status == Status.RESOLVED.value, or_(t.article_id.is_(None), t.article_id == ""),
                   or_(func.coalesce(t.text, "") != "", func.coalesce(t.subject, "") != ""),
                   or_(t.resolution == Resolution.AGENT.value, after_help))
            .order_by(t.created_at.desc(), t.id.desc()).limit(limit))
    return stmt if since is None else stmt.where(t.created_at >= since)
