"""Relearner: every few seconds, teach this process's models what other processes' tickets showed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from adapters.background import BackgroundLoop

log = logging.getLogger("fixloop.learning")


class Relearner(BackgroundLoop):
    """Runs `catch_up` (Desk.catch_up) every `interval` seconds until stopped."""

    task_name = "fixloop-relearn"

    def __init__(self, catch_up: Callable[[], Awaitable[int]], *, interval: float = 60.0) -> None:
        self.catch_up, self.interval = catch_up, interval
        super().__init__()

    async def run(self) -> None:
        """Catch up, then wait; a database outage only delays the next look (nothing is lost)."""
        while not self.stopping:
            await self.pause(self.interval)
            if self.stopping:
                break
            try:
                learnt = await self.catch_up()
            except Exception:  # the tickets stay in the database: the next look finds them
                log.warning("learning from resolved tickets failed; retrying in %.0f s", self.interval,
                            exc_info=True)
                continue
            if learnt:
                log.info("learnt from %d tickets resolved elsewhere", learnt)
