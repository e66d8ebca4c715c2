"""The fast acknowledgement of Slack event callbacks: verify, store, answer 200; handling runs apart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from adapters.db.inbox import UNAVAILABLE, Accepted, InboxEvent
from adapters.slack.ids import PLATFORM
from adapters.slack.intake import Inbox, replayer, store

log = logging.getLogger("fixloop.slack")


class EventIntake:
    """The acknowledgement path of Events API callbacks: verify, store, answer 200; handling runs apart.

    Bolt is not on this path (its dispatch costs more than the insert): a stored event is handed to a
    worker slot in this process (inline intake) or left to `fixloop worker` processes (queued intake).
    """

    def __init__(
        self,
        app: AsyncApp,
        inbox: Inbox,
        signing_secret: str,
        *,
        queued: bool = False,
        workers: int = 8,
        count: Callable[[str], None] = lambda outcome: None,
    ) -> None:
        self.inbox, self.queued, self.count = inbox, queued, count
        self.verifier = SignatureVerifier(signing_secret)
        self.replay = replayer(app, inbox)
        self.gate = asyncio.Semaphore(workers)
        self.tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, raw: bytes, headers: Mapping[str, str]) -> tuple[int, str] | None:
        """(status, body) for an event callback; None for anything else (Bolt answers those)."""
        body = _event_callback(raw)
        if body is None:
            return None
        timestamp, signature = headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        if not self.verifier.is_valid(body=raw, timestamp=timestamp or "", signature=signature or ""):
            log.warning("refused an event whose signature or timestamp is invalid")
            return 401, ""
        if _from_the_bot(body):
            return 200, ""  # Fixloop's own posts come back as events: nothing to store
        event_id, payload = str(body["event_id"]), raw.decode()
        stored = await store(self.inbox, event_id, payload, queued=self.queued, count=self.count)
        if stored is None:
            return 503, "database unavailable; retry"
        accepted, row = stored
        if not self.queued and accepted in (Accepted.NEW, Accepted.RETRY):
            self._spawn(InboxEvent(row, PLATFORM, event_id, payload, 1))
        return 200, ""

    def _spawn(self, event: InboxEvent) -> None:
        task = asyncio.get_running_loop().create_task(self._handle(event))
        self.tasks.add(task)  # a reference, or the loop may drop the task mid-way
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, event: InboxEvent) -> None:
        async with self.gate:
            try:
                await self.replay(event)
            except Exception as exc:  # stays in the inbox; the sweeper retries it after a backoff
                log.warning("handling event %s failed: %r", event.event_id, exc)
                with contextlib.suppress(*UNAVAILABLE):
                    await self.inbox.failed(event.id, f"{type(exc).__name__}: {exc}")


def _event_callback(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("type") == "event_callback" and body.get("event_id"):
        return body
    return None


def _from_the_bot(body: dict[str, Any]) -> bool:
    event: dict[str, Any] = body["event"] if isinstance(body.get("event"), dict) else {}
    bots = {
        a.get("user_id") for a in body.get("authorizations") or [] if isinstance(a, dict) and a.get("is_bot")
    }
    return bool(event.get("user")) and event.get("user") in bots
