"""InboxSweeper: hands stored inbound events to their platform's handler (new ones, and failed ones again)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from adapters.background import BackgroundLoop
from adapters.db.inbox import InboxEvent, SqlInbox
from adapters.intake import Handler, handle

log = logging.getLogger("fixloop.inbox")
Replay = Handler  # a platform's handler of one stored event


class InboxSweeper(BackgroundLoop):
    """Takes the lease on inbox events nobody holds (queued, or stale) and hands each back to its platform."""

    task_name = "fixloop-inbox"

    def __init__(
        self,
        inbox: SqlInbox,
        replayers: Mapping[str, Replay],
        *,
        interval: float = 5.0,
        concurrency: int = 8,
        on_replay: Callable[[str], None] = lambda platform: None,
    ) -> None:
        self.inbox, self.replayers, self.on_replay = inbox, dict(replayers), on_replay
        self.interval, self.concurrency = interval, concurrency
        super().__init__()

    async def run_once(self) -> int:
        """Replay what is due now, `concurrency` at a time; how many events were handed back."""
        events = await self.inbox.due(limit=self.concurrency * 4)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(event: InboxEvent) -> None:
            async with gate:
                await self._replay(event)

        await asyncio.gather(*(one(e) for e in events))
        return len(events)

    async def _replay(self, event: InboxEvent) -> None:
        replay = self.replayers.get(event.platform)
        if replay is None:
            await self.inbox.failed(event.id, f"no replayer for {event.platform!r}")
            return
        if event.attempts > 1:  # a first attempt is a queued event, not a replay of a failed one
            log.info("replaying %s event %s (attempt %d)", event.platform, event.event_id, event.attempts)
            self.on_replay(event.platform)
        await handle(self.inbox, event, replay)

    async def run(self) -> None:
        """Sweep until stopped; a database outage only delays the next sweep."""
        while not self.stopping:
            try:
                if await self.run_once():
                    continue  # a full batch may mean more is waiting: look again at once
            except Exception:  # the database is away: the events wait in it
                log.warning("inbox sweep failed; retrying in %.0f s", self.interval, exc_info=True)
            await self.pause(self.interval)
