"""Dispatcher: delivers due outbox posts, retries failures with backoff, gives up on permanent errors."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta

from adapters.background import BackgroundLoop
from adapters.db.outbox import OutboxItem, SqlOutbox

log = logging.getLogger("fixloop.outbox")
MAX_ATTEMPTS = 12  # about an hour of backoff (1 s doubling, capped at 10 min) before a post is given up
MAX_DELAY = timedelta(minutes=10)

Deliver = Callable[[OutboxItem], Awaitable[None]]


class Permanent(Exception):
    """A failure retrying cannot fix (a channel that does not exist, a refused token)."""


class RetryAfter(Exception):
    """The platform asked to wait (HTTP 429 with Retry-After)."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.seconds = seconds


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter above a floor: 1 s, 2 s, 4 s ... capped at MAX_DELAY."""
    base = min(MAX_DELAY.total_seconds(), float(2**attempts))
    return timedelta(seconds=base / 2 + (rng or random).random() * base / 2)


def newest_redraws(items: list[OutboxItem]) -> tuple[list[OutboxItem], list[OutboxItem]]:
    """The posts to deliver, and the older redraws of one post that a newer one in the batch makes moot.

    A redraw (`data.redraw`: an incident's post, updated with each report) is drawn from the state at
    delivery, so only the newest of a batch needs delivering: a burst of 500 reports is then 10 updates
    of the post at the default batch, not 500 that hold up the rest of its channel.
    """

    def group(item: OutboxItem) -> tuple[str, str] | None:
        redraw = (item.payload.get("data") or {}).get("redraw")
        return (item.destination, str(redraw)) if redraw else None

    newest = {g: item.id for item in items if (g := group(item)) is not None}  # items come oldest first
    keep: list[OutboxItem] = []
    stale: list[OutboxItem] = []
    for item in items:
        g = group(item)
        (stale if g is not None and newest[g] != item.id else keep).append(item)
    return keep, stale


class Dispatcher(BackgroundLoop):
    """Claims due posts and hands each to the deliverer of its destination; one lane per conversation."""

    task_name = "fixloop-outbox"

    def __init__(
        self,
        outbox: SqlOutbox,
        deliverers: Mapping[str, Deliver],
        *,
        poll_seconds: float = 2.0,
        batch: int = 50,
        on_result: Callable[[str, str], None] | None = None,
    ) -> None:
        self.outbox, self.deliverers = outbox, dict(deliverers)
        self.poll_seconds, self.batch = poll_seconds, batch
        self.on_result = on_result or (lambda destination, outcome: None)
        super().__init__()

    async def run_once(self) -> int:
        """Deliver what is due now; how many posts were handled (sent, rescheduled or given up)."""
        items, stale = newest_redraws(await self.outbox.claim(limit=self.batch))
        await self.outbox.superseded([item.id for item in stale])
        for item in stale:
            self.on_result(item.destination, "superseded")
        lanes: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in items:  # posts to one conversation keep their order; different ones go in parallel
            lanes[f"{item.destination}:{item.payload.get('lane', item.key)}"].append(item)
        await asyncio.gather(*(self._lane(lane) for lane in lanes.values()))
        return len(items) + len(stale)

    async def _lane(self, items: list[OutboxItem]) -> None:
        for item in items:
            await self._deliver(item)

    async def _deliver(self, item: OutboxItem) -> None:
        deliver = self.deliverers.get(item.destination)
        try:
            if deliver is None:
                raise Permanent(f"no deliverer for {item.destination!r} (is it still configured?)")
            await deliver(item)
        except Permanent as exc:
            log.error("outbox: giving up %s (%s): %s", item.key, item.destination, exc)
            await self.outbox.give_up(item.id, f"permanent: {exc}")
            self.on_result(item.destination, "dead")
        except Exception as exc:  # transient until proven otherwise: retried with backoff
            await self._reschedule(item, exc)
        else:
            await self.outbox.sent(item.id)
            self.on_result(item.destination, "sent")

    async def _reschedule(self, item: OutboxItem, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        if item.attempts + 1 >= MAX_ATTEMPTS:
            log.error("outbox: giving up %s after %d attempts: %s", item.key, item.attempts + 1, error)
            await self.outbox.give_up(item.id, error)
            self.on_result(item.destination, "dead")
            return
        delay = timedelta(seconds=exc.seconds) if isinstance(exc, RetryAfter) else backoff(item.attempts)
        log.warning(
            "outbox: %s failed (attempt %d), retry in %.1f s: %s",
            item.key,
            item.attempts + 1,
            delay.total_seconds(),
            error,
        )
        await self.outbox.retry(item.id, error, delay)
        self.on_result(item.destination, "retry")

    async def drain(self, *, within: float = 30.0) -> int:
        """Deliver until nothing is pending or `within` seconds pass (for one-shot commands)."""
        loop = asyncio.get_running_loop()
        handled, deadline = 0, loop.time() + within
        while (remaining := deadline - loop.time()) > 0:
            count = await self.run_once()
            handled += count
            if count:
                continue
            due = await self.outbox.next_due()
            if due is None:
                break
            await asyncio.sleep(min(remaining, max(0.05, (due - datetime.now(UTC)).total_seconds())))
        return handled

    async def run(self) -> None:
        """Deliver forever: after each wake-up, at each due time, and at least every poll interval."""
        while not self.stopping:
            try:
                while await self.run_once():
                    pass
                due = await self.outbox.next_due()
            except Exception:  # the database went away: keep going, the posts wait in the table
                log.exception("outbox: dispatcher pass failed; retrying")
                due = None
            wait = self.poll_seconds
            if due is not None:
                wait = min(wait, (due - datetime.now(UTC)).total_seconds())
            await self.pause(wait)  # a post queued meanwhile wakes it at once
