"""The App Home tab: my open tickets; for agents the queue; for leaders the top causes."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import Blocks, causes, context, ticket_list
from adapters.slack.fix_blocks import file_fix_actions
from adapters.slack.ids import PLATFORM
from core.causes import RankedCause
from core.desk import Desk
from core.org import PersonRole
from core.tickets import Ticket


def home_view(
    mine: list[Ticket], queue: list[Ticket] | None, top: list[RankedCause] | None
) -> dict[str, Any]:
    """The Home tab view; sections a person's role does not see are None."""
    out: Blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Fixloop"}}]
    out += ticket_list(mine, "Your open tickets")
    if queue is not None:
        out += [{"type": "divider"}, *ticket_list(queue, "Waiting for a person")]
    if top is not None:
        out += [{"type": "divider"}, *causes(top, limit=5), *file_fix_actions(top, limit=5)]
    out.append(context("DM me to ask for help; `/fixloop help` lists the commands."))
    return {"type": "home", "blocks": out}


async def publish(client: AsyncWebClient, desk: Desk, user: str) -> None:
    """Build and publish a person's Home tab."""
    roles = desk.org.roles_of(user, PLATFORM)
    queue = await desk.queue() if PersonRole.AGENT in roles else None
    top = await desk.ranked_causes(limit=5) if PersonRole.LEADER in roles else None
    await client.views_publish(user_id=user, view=home_view(await desk.my_tickets(user), queue, top))
