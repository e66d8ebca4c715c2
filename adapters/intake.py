"""One intake for every chat platform: store, then acknowledge; a worker handles, settles, replays on failure.

A platform supplies only the key of an event (so a redelivery is recognised) and a handler that runs a
stored event. The acknowledging side never handles anything: it writes one row and answers, so its
latency does not depend on what handling costs. Handling runs in the inbox sweeper, in a worker thread
of `fixloop serve` (inline intake) or in `fixloop worker` processes (queued intake).

- The database is down when the event arrives: the platform is answered 503 and redelivers it.
- A redelivery of a stored event: acknowledged, never stored or handled twice.
- The handler raises a domain error (bad input): the person was told; the event is done.
- The handler fails otherwise (a crash, the database went away): the event stays in the inbox and is
  replayed after a backoff, up to MAX_ATTEMPTS times; the person is told only on the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.queues import UNAVAILABLE, Inbox, InboxEvent
from core.errors import FixloopError

log = logging.getLogger("fixloop.inbox")
Handler = Callable[[InboxEvent], Awaitable[None]]


class Intake:
    """The acknowledging half for one platform: store the event under its key, then say whether to ack."""

    def __init__(
        self,
        inbox: Inbox,
        platform: str,
        *,
        count: Callable[[str], None] = lambda outcome: None,
        stored: Callable[[], None] = lambda: None,
    ) -> None:
        self.inbox, self.platform, self.count, self.stored = inbox, platform, count, stored

    async def receive(self, key: str, payload: str) -> bool:
        """Store an event before it is acknowledged; False when the database is away (answer 503)."""
        try:
            accepted, _ = await self.inbox.accept(self.platform, key, payload, queued=True)
        except UNAVAILABLE as exc:
            log.warning(
                "database unavailable; %s will redeliver %s: %s", self.platform, key, type(exc).__name__
            )
            self.count("unavailable")
            return False
        self.count(accepted.value)
        self.stored()  # a worker may take it now
        return True


@dataclass
class Outcome:
    """How the handling of one stored event went, and whether the person should hear of a failure now."""

    last_attempt: bool = False
    error: Exception | None = None

    def record(self, error: Exception) -> bool:
        """Keep a failure for the intake to settle; True when the person is to be told now."""
        self.error = error
        return final(error) or self.last_attempt


def final(error: Exception) -> bool:
    """A domain error (bad input) is final: retrying cannot change it."""
    return isinstance(error, FixloopError)


async def handle(inbox: Inbox, event: InboxEvent, handler: Handler) -> None:
    """Run a stored event's handler, then settle it: done, or failed for a replay after a backoff."""
    try:
        await handler(event)
    except Exception as exc:  # settled below: nothing a handler raises may lose the event
        await settle(inbox, event, exc)
    else:
        await settle(inbox, event, None)


async def settle(inbox: Inbox, event: InboxEvent, error: Exception | None) -> None:
    """Record how handling ended; an outcome that cannot be recorded is replayed once its lease expires."""
    try:
        if error is None or final(error):
            await inbox.done(event.id)
        elif await inbox.failed(event.id, f"{type(error).__name__}: {error}"):
            log.warning(
                "handling %s event %s failed; it is retried: %r", event.platform, event.event_id, error
            )
        else:
            log.error(
                "handling %s event %s failed for the last time: %r", event.platform, event.event_id, error
            )
    except UNAVAILABLE:
        log.warning("could not record the outcome of inbox event %s; it will be replayed", event.id)
