"""Buttons of incidents and duplicates: Resolve incident on the incident post, Link on a triage post."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack import blocks
from adapters.slack.clicks import click_once, first_click
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Action
from adapters.slack.once import Claims
from core.agent_commands import AgentCommand, Verb
from core.desk import Desk
from core.incidents import Incident
from core.org import PersonRole

Body = dict[str, Any]


async def on_resolve_incident(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent resolves the incident; its post is redrawn by the outbox, everyone linked is asked once."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    desk.org.require(user, PersonRole.AGENT, platform=PLATFORM)  # before the click is claimed
    incident_id = ref.other or ""

    def work() -> Awaitable[Incident]:
        return desk.resolve_incident(incident_id, user, PLATFORM)

    incident = await first_click(claims, body, respond, incident_id, Action.INCIDENT_RESOLVE, work)
    if incident is None:
        return
    told = sum(1 for link in incident.links if link.told_at)
    await _tell(
        respond, f"Incident {incident.id} is resolved; {told} requesters are asked whether it works now."
    )


async def on_link(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent links the triage post's ticket with a similar open one (clicked again: no change)."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    clicked_id = str(action.get("action_id"))

    async def work() -> str:
        done = await desk.front_line(AgentCommand(Verb.LINK, ref.ticket, other=ref.other), user, PLATFORM)
        return f"<@{user}>: {blocks.esc(done.text)}"

    await click_once(claims, body, respond, f"{ref.ticket}+{ref.other}", clicked_id, work, {clicked_id})


async def _tell(respond: AsyncRespond, text: str) -> None:
    await respond(text=blocks.esc(text), response_type="ephemeral", replace_original=False)
