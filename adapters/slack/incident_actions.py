"""Buttons of incidents and duplicates: Resolve incident on the incident post, Link on a triage post."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack import blocks
from adapters.slack.forms import Ref, actor
from adapters.slack.ids import PLATFORM, Action
from adapters.slack.once import ALREADY_CLICKED, Claims, clicked, once
from core.agent_commands import AgentCommand, Verb
from core.desk import Desk
from core.org import PersonRole

Body = dict[str, Any]


async def on_resolve_incident(
    ack: AsyncAck, body: Body, action: Body, respond: AsyncRespond, desk: Desk, claims: Claims | None = None
) -> None:
    """An agent resolves the incident; its post is redrawn by the outbox, everyone linked is asked once."""
    await ack()
    ref, user = Ref.decode(action.get("value")), actor(body)
    desk.org.require(user, PersonRole.AGENT, platform=PLATFORM)  # on Slack: the use case takes any id
    async with once(claims, clicked(body, ref.other or ""), Action.INCIDENT_RESOLVE) as first:
        if not first:
            return await _tell(respond, ALREADY_CLICKED)
        incident = await desk.resolve_incident(ref.other or "", user)
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
    async with once(
        claims, clicked(body, f"{ref.ticket}+{ref.other}"), str(action.get("action_id"))
    ) as first:
        if not first:
            return await _tell(respond, ALREADY_CLICKED)
        done = await desk.front_line(AgentCommand(Verb.LINK, ref.ticket, other=ref.other), user, PLATFORM)
    note = f"<@{user}>: {blocks.esc(done.text)}"
    old = (body.get("message") or {}).get("blocks") or []
    await respond(
        replace_original=True, blocks=blocks.done(old, note, {str(action.get("action_id"))}), text=note
    )


async def _tell(respond: AsyncRespond, text: str) -> None:
    await respond(text=blocks.esc(text), response_type="ephemeral", replace_original=False)
