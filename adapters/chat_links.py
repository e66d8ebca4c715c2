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
