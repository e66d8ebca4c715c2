"""The incident post on Slack: posted once per channel, then updated in place (chat.update) as it grows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import incident_blocks, posting
from core.ports import Notice

if TYPE_CHECKING:
    from core.desk import Desk


async def send(client: AsyncWebClient, desk: Desk, notice: Notice, channel: str, *, retried: bool) -> None:
    """Draw the incident as it is now; update its post in the channel, or post it the first time."""
    if desk.incidents is None:
        return
    incident_id = str(notice.data.get("incident_id") or "")
    incident, tickets = await desk.incident_view(incident_id)
    shown, text = incident_blocks.incident(incident, tickets), incident_blocks.summary(incident)
    place, marker = f"slack:{channel}", f"incident:{incident.id}"  # one marker per incident: a retry finds it
    ref = await desk.incidents.post_ref(incident.id, place)
    if ref is None and retried:
        ts = await _posted_before(client, channel, marker)
        ref = {"channel": channel, "ts": ts} if ts else None
    if ref is not None:
        await client.chat_update(channel=ref["channel"], ts=ref["ts"], blocks=shown, text=text)
        return
    posted = await client.chat_postMessage(
        channel=channel, blocks=shown, text=text, metadata=posting.metadata(marker)
    )
    await desk.incidents.remember_post(
        incident.id, place, {"channel": str(posted["channel"]), "ts": str(posted["ts"])}
    )


async def _posted_before(client: AsyncWebClient, channel: str, marker: str) -> str | None:
    """The ts of an earlier try's post whose answer was lost, found by its metadata."""
    found = await client.conversations_history(channel=channel, include_all_metadata=True, limit=100)
    for message in found.get("messages") or []:
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if payload.get("key") == marker:
            return str(message.get("ts"))
    return None
