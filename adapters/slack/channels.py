"""Whether a Slack channel is shared with another organisation, for payloads that do not say (shortcuts)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.messages import LogRequest
from core.tickets import Surface

log = logging.getLogger("fixloop.slack")
SHARED_FLAG = "is_ext_shared_channel"  # what Events API envelopes carry; interactivity payloads do not


class SharedChannels:
    """conversations.info, remembered per channel for an hour (sharing a channel is a rare change)."""

    def __init__(
        self, client: AsyncWebClient, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client, self.ttl, self.clock = client, ttl, clock
        self._known: dict[str, tuple[bool, float]] = {}

    async def external(self, channel: str) -> bool:
        """Whether the channel is shared with another organisation; True when Slack cannot say."""
        known = self._known.get(channel)
        if known is not None and known[1] > self.clock():
            return known[0]
        try:
            answer = await self.client.conversations_info(channel=channel)
        except (SlackApiError, TimeoutError, OSError) as exc:  # not remembered: the next request asks again
            log.warning("conversations.info failed for %s; treating it as shared: %s", channel, exc)
            return True
        info = answer.get("channel") or {}
        shared = bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared"))
        self._known[channel] = (shared, self.clock() + self.ttl)
        return shared


async def with_channel_surface(
    cmd: LogRequest, body: dict[str, Any], channels: SharedChannels | None
) -> LogRequest:
    """The request made external when its channel is shared and the payload did not carry the flag."""
    if cmd.surface == Surface.EXTERNAL or SHARED_FLAG in body or channels is None or not cmd.channel:
        return cmd
    return replace(cmd, surface=Surface.EXTERNAL) if await channels.external(cmd.channel) else cmd
