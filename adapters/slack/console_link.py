"""`/fixloop console`: a one-time console sign-in link, sent to the person in a DM."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.ids import PLATFORM
from core.desk import Desk


async def on_console(
    command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, desk: Desk
) -> None:
    """DM the link (never in a channel: it signs in whoever opens it); say so where the command was typed."""
    link = await desk.console_link(command["user_id"], platform=PLATFORM)
    # Posting to a user id writes in the app's DM with them; no unfurl fetches the link before they do.
    await client.chat_postMessage(
        channel=command["user_id"], text=link.to_text(), unfurl_links=False, unfurl_media=False
    )
    await respond(text="I sent you a one-time sign-in link to the console in a DM (valid for 10 minutes).")
