"""Links back to a ticket's chat thread, built from the ids Fixloop stored, never from user text."""

from __future__ import annotations

from urllib.parse import quote

from core.tickets import Ticket


def thread_link(ticket: Ticket) -> str | None:
    """A Slack or Teams link to the ticket's thread, or None when the ticket has no chat thread."""
    chat = ticket.chat
    if ticket.platform == "slack" and chat.get("channel"):
        ts = chat.get("thread_ts") or chat.get("ts")
        base = f"https://slack.com/archives/{quote(chat['channel'], safe='')}"
        return f"{base}/p{ts.replace('.', '')}" if ts else base
    if ticket.platform == "teams" and chat.get("conversation_id") and chat.get("activity_id"):
        ids = quote(chat["conversation_id"], safe=""), quote(chat["activity_id"], safe="")
        return f"https://teams.microsoft.com/l/message/{ids[0]}/{ids[1]}"
    return None
