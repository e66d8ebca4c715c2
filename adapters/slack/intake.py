"""Durable Slack intake: an event is in the inbox before Slack gets its 200, and is handled exactly once.

Slack redelivers an event it did not see acknowledged (up to three times, over about an hour), so:
the database is down -> 503 and Slack retries; a redelivery of a handled event -> 200 and nothing
else; an event whose handler died (crash, database gone mid-way) -> replayed by the inbox sweeper.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.db.inbox import UNAVAILABLE, Accepted, InboxEvent
from adapters.slack.ids import PLATFORM
from core.errors import FixloopError

log = logging.getLogger("fixloop.slack")


class Inbox(Protocol):
    async def accept(
        self, platform: str, event_id: str, payload: str, *, queued: bool = False
    ) -> tuple[Accepted, int]: ...
    async def done(self, event_id: int) -> None: ...
    async def failed(self, event_id: int, error: str) -> bool: ...


def event_id_of(body: dict[str, Any]) -> str | None:
    """The Events API id of a callback (interactivity and commands have none: Slack never retries them)."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    return str(event_id) if event_id else None


async def store(
    inbox: Inbox, event_id: str, payload: str, *, queued: bool, count: Callable[[str], None]
) -> tuple[Accepted, int] | None:
    """Write a Slack event to the inbox and count the outcome; None when the database is away."""
    try:
        accepted, row = await inbox.accept(PLATFORM, event_id, payload, queued=queued)
    except UNAVAILABLE as exc:
        log.warning("database unavailable; Slack will redeliver event %s: %s", event_id, type(exc).__name__)
        count("unavailable")
        return None
    count(accepted.value)
    return accepted, row


def durable(
    inbox: Inbox | None, count: Callable[[str], None] = lambda outcome: None, *, queued: bool = False
) -> Callable[..., Any]:
    """Bolt middleware writing each event to the inbox before the listener (and so the ack) runs.

    Queued, it only stores and acknowledges: `fixloop worker` processes handle the event from the inbox.
    """

    async def middleware(
        body: dict[str, Any],
        context: dict[str, Any],
        next: Callable[[], Awaitable[None]],  # noqa: A002
    ) -> BoltResponse | None:
        event_id = event_id_of(body)
        if context.get("inbox_id") is not None:
            context["inbox_reached"] = True  # a stored event Bolt's own middleware let through
            await next()
            return None
        if inbox is None or event_id is None:
            await next()  # not an event (interactivity and commands are acted on while Slack waits)
            return None
        stored = await store(inbox, event_id, json.dumps(body), queued=queued, count=count)
        if stored is None:
            return BoltResponse(status=503, body="database unavailable; retry", headers={"Retry-After": "5"})
        accepted, row = stored
        if queued:
            return BoltResponse(status=200, body="")  # stored: a worker takes it from the inbox
        if accepted in (Accepted.DONE, Accepted.BUSY):
            log.info(
                "event %s was delivered before (%s); acknowledged, not handled again",
                event_id,
                accepted.value,
            )
            return BoltResponse(status=200, body="")
        context["inbox_id"] = row
        await next()
        return None

    return middleware


async def settle(inbox: Inbox | None, context: Any, error: Exception | None) -> bool:
    """Record how handling ended; True when the person should be told of the error now.

    A domain error (bad input) is final and told; any other failure is retried from the inbox, and
    told only once retries are exhausted, because the message is safe and will still be handled.
    """
    row = context.get("inbox_id") if context is not None else None
    if inbox is None or row is None:
        return error is not None
    try:
        return await _record(inbox, row, error)
    finally:
        finished = context.get("inbox_finished")
        if finished is not None and not finished.done():
            finished.set_result(None)  # the replay that dispatched this event may take the next one


async def _record(inbox: Inbox, row: int, error: Exception | None) -> bool:
    try:
        if error is None or _final(error):
            await inbox.done(row)
            return error is not None
        if await inbox.failed(row, f"{type(error).__name__}: {error}"):
            log.warning("event handling failed; it stays in the inbox and is retried: %r", error)
            return False
        return True
    except UNAVAILABLE:  # the lease expires and the sweeper replays it; nothing is lost
        log.warning("could not record the outcome of inbox event %s; it will be replayed", row)
        return False


def _final(error: Exception) -> bool:
    return isinstance(error, FixloopError)


def replayer(app: AsyncApp, inbox: Inbox, wait: float = 60.0) -> Callable[[InboxEvent], Awaitable[None]]:
    """How the sweeper hands a stored Slack event back to the app (signature already checked at intake)."""

    async def replay(event: InboxEvent) -> None:
        body = json.loads(event.payload)
        finished = asyncio.get_running_loop().create_future()
        request = AsyncBoltRequest(body=body, mode="socket_mode", context={"inbox_id": event.id})
        request.context["inbox_finished"] = finished
        context = request.context  # Bolt copies the given dict: read the flags from its own context
        response = await app.async_dispatch(request)
        if response.status == 404 or not context.get("inbox_reached"):
            await inbox.done(event.id)  # no listener for it, or Bolt drops it (the bot's own post)
            return
        # Bolt runs the listener in a task of its own: hold this worker slot until it ends (bounded: a
        # listener that never settles leaves its lease to expire, and the event is replayed later).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished, timeout=wait)

    return replay
