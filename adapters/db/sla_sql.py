"""The tickets the SLA watch looks at, chosen in SQL: waiting tickets with an unmet deadline in a window.

The same selection as core.sla_watch.LedgerSlaCandidates (tested to pick the same tickets), without loading
the ledger: one indexed range query per deadline column, merged and cut to the soonest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from adapters.db._sql import SqlRepository
from adapters.db.kpi_sql_base import T
from adapters.db.tickets import SqlTicketRepository
from core.schedule import WAITING
from core.sla_watch import WATCHED
from core.tickets import Ticket


def _unmet(*stamps: Any) -> Any:
    """None of the stamps that meet a target is set."""
    return and_(*(s.is_(None) for s in stamps))


class SqlSlaCandidates(SqlRepository):
    """SlaCandidates selected by the database."""

    async def sla_due(self, since: datetime, until: datetime, limit: int = WATCHED) -> list[Ticket]:
        """Waiting tickets with an unmet deadline in [since, until), soonest first."""
        waiting = T.c.status.in_([s.value for s in WAITING])
        columns = (
            (T.c.first_response_due_at, _unmet(T.c.first_human_reply_at, T.c.resolved_at)),
            (T.c.resolution_due_at, _unmet(T.c.resolved_at)),
        )
        found: dict[str, datetime] = {}
        async with self._reading() as session:
            for due, unmet in columns:
                stmt = (
                    select(T.c.id, due.label("due"))
                    .where(waiting, unmet, due >= since, due < until)
                    .order_by(due, T.c.id)
                    .limit(limit)
                )
                for row in (await session.execute(stmt)).all():
                    found[row.id] = min(found.get(row.id, row.due), row.due)
        ids = [tid for tid, _ in sorted(found.items(), key=lambda kv: (kv[1], kv[0]))][:limit]
        if not ids:
            return []
        order = {tid: i for i, tid in enumerate(ids)}
        tickets = await SqlTicketRepository(self._sessions).load(select(T).where(T.c.id.in_(ids)))
        return sorted(tickets, key=lambda t: order[t.id])
