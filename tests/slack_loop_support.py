"""Open a ticket over a signed Slack DM event."""

from __future__ import annotations

from tests.slack_fake import EMPLOYEE

VPN = "VPN disconnects every few minutes since this morning"


async def open_ticket(slack, text: str = VPN, user: str = EMPLOYEE, ts: str = "1700000000.000100"):
    """A DM that became a ticket, and the bot's first reply."""
    await slack.event(
        {"type": "message", "channel": "D0EMP", "channel_type": "im", "user": user, "text": text, "ts": ts}
    )
    await slack.fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    return await slack.desk.find_thread(f"slack:D0EMP:{ts}")
