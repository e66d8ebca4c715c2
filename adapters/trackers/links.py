"""Links back to a ticket's chat thread, built from the ids Fixloop stored, never from user text."""

from __future__ import annotations

from adapters.chat_links import thread_url
from core.tickets import Ticket


def thread_link(ticket: Ticket) -> str | None:
    """A Slack or Teams link to the ticket's thread, or None when the ticket has no chat thread."""
    return thread_url(ticket.platform, ticket.chat)
