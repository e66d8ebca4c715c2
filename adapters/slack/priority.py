"""The priority picker of the Slack triage post: a select an agent changes, acted on once per change.

Each option's value is `<ticket id>:<priority>`. Choosing the priority the ticket already has (a double
click, a replayed request) changes nothing in core and writes no second audit entry; the post is updated in
place so the picker shows the ticket's priority.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.payload import mapping, text
from adapters.slack import blocks
from adapters.slack.forms import TICKET_ID, actor
from adapters.slack.ids import PLATFORM
from adapters.slack.priority_blocks import with_priority
from core.desk import Desk
from core.errors import InvalidInput
from core.priority import SetPriority, parse_priority
from core.tickets import Priority

Body = dict[str, Any]


def chosen(action: Body) -> tuple[str, Priority]:
    """(ticket id, priority) of a picked option; anything Fixloop did not make is refused clearly."""
    value = text(mapping(action, "selected_option"), "value") or ""
    ticket, _, priority = value.partition(":")
    if not TICKET_ID.fullmatch(ticket):
        raise InvalidInput("That priority picker is not one Fixloop made. Use /ticket to find the ticket.")
    return ticket.upper(), parse_priority(priority)


async def on_priority(ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk) -> None:
    """An agent picks a priority in the triage post: set it (with its audit entry), update the post."""
    await ack()
    user = actor(body)
    ticket_id, priority = chosen(action)
    result = await desk.set_priority(SetPriority(ticket_id, priority.value, user, platform=PLATFORM))
    old = (body.get("message") or {}).get("blocks") or []
    if result.changed:
        note = f"<@{user}> set the priority of {result.ticket.id} to {priority} (was {result.before})."
    else:
        note = f"{result.ticket.id} is already {priority} priority; nothing changed."
    updated = blocks.done(with_priority(old, result.ticket), note, drop=set())
    await respond(replace_original=True, blocks=updated, text=note)
