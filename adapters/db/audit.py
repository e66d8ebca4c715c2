"""SqlAuditLog: the append-only audit log of escalations, judgements, root causes, fixes and reviews."""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import insert, select

from adapters.db._sql import SqlRepository
from adapters.db.tables import AuditRow, table_of
from core.audit import AuditAction, AuditEntry

AUDIT = table_of(AuditRow)
FIELDS = ("at", "who", "ticket_id", "escalation_id", "cause_key", "review_id", "detail")


class SqlAuditLog(SqlRepository):
    """Audit entries; there is no update and no delete."""

    async def record(self, entry: AuditEntry) -> None:
        """Append one entry."""
        values = {name: getattr(entry, name) for name in FIELDS}
        async with self._writing() as session:
            await session.execute(insert(AUDIT).values({**values, "action": entry.action.value}))

    async def list(
        self, *, since: datetime | None = None, limit: int | None = None
    ) -> builtins.list[AuditEntry]:
        """Entries at or after `since`, oldest first (insertion order breaks ties)."""
        stmt = select(AUDIT).order_by(AUDIT.c.at, AUDIT.c.id)
        if since is not None:
            stmt = stmt.where(AUDIT.c.at >= since)
        if limit is not None:
            stmt = stmt.limit(limit)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
        return [
            AuditEntry(action=AuditAction(row["action"]), **{name: row[name] for name in FIELDS})
            for row in rows
        ]
