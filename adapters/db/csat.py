"""SqlCsatRepository: every CSAT answer kept, beside the latest score copied onto the ticket."""

from __future__ import annotations

import builtins

from sqlalchemy import insert, select

from adapters.db._sql import SqlRepository
from adapters.db.tables import CsatResponseRow, table_of
from core.tickets import CsatResponse

CSAT = table_of(CsatResponseRow)


class SqlCsatRepository(SqlRepository):
    """CSAT answers; append-only, so a requester changing their mind leaves a trail."""

    async def add(self, response: CsatResponse) -> None:
        """Store one answer."""
        values = {
            "ticket_id": response.ticket_id,
            "score": response.score,
            "solved": response.solved,
            "at": response.at,
            "by": response.by,
        }
        async with self._writing() as session:
            await session.execute(insert(CSAT).values(values))

    async def list(self, ticket_id: str | None = None) -> builtins.list[CsatResponse]:
        """Answers, of one ticket if given, oldest first."""
        stmt = select(CSAT).order_by(CSAT.c.at, CSAT.c.id)
        if ticket_id is not None:
            stmt = stmt.where(CSAT.c.ticket_id == ticket_id)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
        fields = ("ticket_id", "score", "solved", "at", "by")
        return [CsatResponse(**{name: row[name] for name in fields}) for row in rows]
