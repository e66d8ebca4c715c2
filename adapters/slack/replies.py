"""Posting back to Slack: into a ticket's thread, or privately to the person who acted."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import Blocks, cut
from adapters.slack.escape import esc
from adapters.slack.forms import Ref

log = logging.getLogger("fixloop.slack")


async def post(client: AsyncWebClient, chat: dict[str, str], blocks: Blocks, text: str) -> None:
    """Post into a ticket's thread."""
    await client.chat_postMessage(
        channel=chat["channel"], thread_ts=chat.get("thread_ts"), blocks=blocks, text=cut(text, 3000)
    )


def _where(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(channel, thread_ts, user) of whatever the body is: event, action, shortcut, command or view."""
    event = body.get("event") or {}
    if event:
        return event.get("channel"), event.get("thread_ts"), event.get("user")
    user = body.get("user") or {}
    user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    if body.get("view"):
        try:
            meta = Ref.decode(body["view"].get("private_metadata") or "{}")
        except Exception:  # a damaged form still gets its answer, by DM
            meta = Ref()
        return meta.channel, None, user_id
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    thread = (body.get("message") or {}).get("thread_ts")
    return channel, thread, user_id


async def tell(client: AsyncWebClient, body: dict[str, Any], text: str, respond: Any = None) -> None:
    """Say something only the person who acted sees: ephemeral where possible, else a DM.

    The text is escaped here: it may quote what the person typed (a refused link, a form given back).
    """
    text = esc(text)
    if respond is not None and body.get("response_url"):
        await respond(text=text, response_type="ephemeral", replace_original=False)
        return
    channel, thread, user = _where(body)
    if not user:
        log.warning("nobody to tell: %s", text)
    elif channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread)
    else:
        await client.chat_postMessage(channel=user, text=text)
