"""Links to a ticket's chat thread that need no API call, for digests on either platform."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote


def teams_message_url(chat: Mapping[str, str]) -> str | None:
    """A Teams deep link to the message a ticket started from, or None without the ids it needs."""
    conversation = str(chat.get("conversation_id", "")).split(";")[0]
    message = chat.get("activity_id")
    if not conversation or not message:
        return None
    tenant = f"?tenantId={quote(chat['tenant_id'])}" if chat.get("tenant_id") else ""
    where = f"{quote(conversation, safe='')}/{quote(str(message))}"
    return f"https://teams.microsoft.com/l/message/{where}{tenant}"


def slack_thread_url(chat: Mapping[str, str]) -> str | None:
    """A Slack link to the thread a ticket lives in (Slack opens it in the viewer's workspace), or None."""
    channel, ts = chat.get("channel"), chat.get("thread_ts") or chat.get("ts")
    if not channel or not ts or not str(ts).replace(".", "").isdigit():
        return None
    return f"https://slack.com/archives/{quote(str(channel), safe='')}/p{str(ts).replace('.', '')}"


def thread_url(platform: str, chat: Mapping[str, str]) -> str | None:
    """The link back to a ticket's Slack or Teams thread, built from the ids Fixloop stored."""
    if platform == "slack":
        return slack_thread_url(chat)
    if platform == "teams":
        return teams_message_url(chat)
    return None
