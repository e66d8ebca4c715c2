"""Posting into Slack conversations through the outbox, and delivering what the outbox holds, once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.outbox.codec import decode
from adapters.outbox.dispatcher import Permanent, RetryAfter
from adapters.queues import Outbox, OutboxItem
from adapters.slack.blocks import Blocks, cut

log = logging.getLogger("fixloop.slack")
METADATA_TYPE = "fixloop_post"  # Slack message metadata marking which outbox key a message delivered
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "no_permission",
    "msg_too_long",
    "invalid_blocks",
    "user_not_found",
    "missing_scope",
    "not_authed",
    "invalid_arguments",
}


class Poster(Protocol):
    async def post(
        self, key: str, channel: str, thread_ts: str | None, blocks: Blocks, text: str
    ) -> None: ...


class DirectPoster:
    """Posts at once (no outbox: the terminal chat and unit tests)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, key: str, channel: str, thread_ts: str | None, blocks: Blocks, text: str) -> None:
        """Post now."""
        await self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, blocks=blocks, text=cut(text, 3000)
        )


class OutboxPoster:
    """Queues the post under its key; the dispatcher delivers it once, whatever Slack does meanwhile."""

    def __init__(self, outbox: Outbox, wake: Callable[[], None]) -> None:
        self.outbox, self.wake = outbox, wake

    async def post(self, key: str, channel: str, thread_ts: str | None, blocks: Blocks, text: str) -> None:
        """Queue the post (a key queued before is not queued again)."""
        payload = {"channel": channel, "thread_ts": thread_ts, "blocks": blocks, "text": cut(text, 3000)}
        await self.outbox.put(f"post:{key}", "slack", "post", {**payload, "lane": f"{channel}:{thread_ts}"})
        self.wake()


def metadata(key: str) -> dict[str, Any]:
    """Message metadata naming the outbox key, so a retry can see that an earlier try got through."""
    return {"event_type": METADATA_TYPE, "event_payload": {"key": key}}


async def already_posted(client: AsyncWebClient, channel: str, thread_ts: str | None, key: str) -> bool:
    """Whether a message carrying this outbox key is in the conversation (a try whose answer was lost)."""
    if thread_ts:
        found = await client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
        )
    else:
        found = await client.conversations_history(channel=channel, include_all_metadata=True, limit=100)
    for message in found.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == METADATA_TYPE and (meta.get("event_payload") or {}).get("key") == key:
            return True
    return False


def classify(exc: Exception) -> Exception:
    """Turn a Slack failure into what the dispatcher understands: wait, retry, or give up."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        if status == 429:
            return RetryAfter(float(exc.response.headers.get("Retry-After", 30) or 30))
        error = str((exc.response.data or {}).get("error", "")) if isinstance(exc.response.data, dict) else ""
        if status < 500 and error in PERMANENT_ERRORS:
            return Permanent(f"Slack refused: {error}")
    return exc


class SlackDelivery:
    """The outbox deliverer for Slack: raw posts and notices, each checked against a lost earlier try."""

    def __init__(self, client: AsyncWebClient, notifier: Any) -> None:
        self.client, self.notifier = client, notifier

    async def __call__(self, item: OutboxItem) -> None:
        """Deliver one outbox item to Slack, or raise what the dispatcher should do about it."""
        try:
            if item.kind == "post":
                await self._post(item)
            else:
                await self.notifier.send(decode(item.payload), key=item.key, retried=item.attempts > 0)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise classify(exc) from exc

    async def _post(self, item: OutboxItem) -> None:
        p = item.payload
        if item.attempts and await already_posted(self.client, p["channel"], p.get("thread_ts"), item.key):
            log.info("outbox: %s was delivered by an earlier try; not posting again", item.key)
            return
        await self.client.chat_postMessage(
            channel=p["channel"],
            thread_ts=p.get("thread_ts"),
            blocks=p.get("blocks"),
            text=p.get("text", ""),
            metadata=metadata(item.key),
        )
