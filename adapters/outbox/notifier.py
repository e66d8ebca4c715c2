"""OutboxNotifier: a notice is queued once per chat platform and delivered by the dispatcher."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.outbox import SqlOutbox
from adapters.outbox.codec import encode
from core.ports import Notice


class OutboxNotifier:
    """Stores each notice per destination before anything is posted, so a platform outage delays, never loses.

    One row per destination: when Slack took a digest and Teams failed, only Teams is retried.
    """

    name = "outbox"  # its destination name in a FanoutNotifier

    def __init__(
        self,
        outbox: SqlOutbox,
        destinations: Sequence[str],
        wake: Callable[[], None],
        *,
        count: Callable[[Notice], None] = lambda notice: None,
    ) -> None:
        self.outbox, self.destinations, self.wake, self.count = outbox, list(destinations), wake, count

    async def send(self, notice: Notice) -> None:
        """Queue the notice for every destination; raise if the database cannot take it."""
        await self.stage(notice)
        self.queued(notice)

    async def stage(self, notice: Notice, session: AsyncSession | None = None) -> None:
        """Write the notice's rows, in a unit of work's session when given (they commit with it)."""
        key = notice.key or uuid.uuid4().hex
        payload = {**encode(notice), "lane": notice.ticket_id or notice.to}
        for destination in self.destinations:
            key_here = f"notice:{key}|{destination}"
            await self.outbox.put(key_here, destination, "notice", payload, session=session)

    def queued(self, notice: Notice) -> None:
        """After the rows committed: count the notice and wake the dispatcher."""
        self.count(notice)
        self.wake()
