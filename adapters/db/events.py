"""SqlEventLog: remembers platform event ids so a redelivered event is handled once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from adapters.db._sql import SqlRepository
from adapters.db.tables import ProcessedEventRow, table_of

EVENTS = table_of(ProcessedEventRow)


class SqlEventLog(SqlRepository):
    """Idempotent intake: Slack retries an event it thinks was not acknowledged, even after we restart."""

    async def first_time(self, platform: str, event_id: str, at: datetime | None = None) -> bool:
        """Record an event id; True the first time it is seen, False for every repeat."""
        values = {"platform": platform, "event_id": event_id, "received_at": at or datetime.now(UTC)}
        try:
            async with self._sessions.begin() as session:
                await session.execute(insert(EVENTS).values(values))
        except IntegrityError:
            # The unique (platform, event_id) constraint decides, so concurrent replicas agree too.
            return False
        return True
