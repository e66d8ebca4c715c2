"""Relaying between a requester and the triage or escalation post about their ticket, in Teams.

Teams' side of adapters/slack/relay.py. The TeamsNotifier keeps where it posted a triage or escalation
notice in ticket.chat (post_refs). An agent's reply in that post's reply chain is the agent's reply to the
ticket: core records it (the first is the first human reply) and queues it for the requester in the
ticket's own thread, wherever that is (a Teams personal chat, or a Slack DM for a Slack ticket whose triage
post went to Teams). A Teams requester's later messages are posted into those reply chains. Messages
from people who are not agents stay in the reply chain: they are not relayed and not recorded.
"""

from __future__ import annotations

from typing import Protocol

from botbuilder.core import TurnContext

from adapters.locks import KeyedLocks
from adapters.teams import translate
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM
from core.agent_commands import AgentCommand, Verb
from core.desk import Desk
from core.org import Org, PersonRole
from core.tickets import Ticket

KINDS = ("triage", "escalation")  # the notice kinds whose posts relay


class Poster(Protocol):
    async def post_in(self, conversation: str, text: str) -> None:
        """Post a line into a channel's reply chain ("19:...;messageid=...")."""
        ...


def post_refs(kind: str, channel: str, post_id: str) -> dict[str, str]:
    """The ticket.chat key that remembers the reply chain of a triage or escalation notice in Teams."""
    return {f"teams_{kind}_post": f"{channel};messageid={post_id}"}


def posts_of(ticket: Ticket) -> list[str]:
    """The reply chains ("channel;messageid=post") of each triage or escalation post in Teams, no repeats."""
    found: list[str] = []
    for kind in KINDS:
        chain = ticket.chat.get(f"teams_{kind}_post")
        if chain and chain not in found:
            found.append(chain)
    return found


def agent_channels(org: Org) -> set[str]:
    """Teams channels triage and escalation notices go to: the only places a relay reply chain can be."""
    channels = {team.channels.get(PLATFORM) for team in org.teams}
    channels |= {targets.get(PLATFORM) for targets in org.channels.values()}
    return {c for c in channels if c}


async def ticket_of_post(desk: Desk, channel: str, root: str) -> Ticket | None:
    """The open ticket whose triage or escalation notice in Teams is the root of this reply chain."""
    if channel not in agent_channels(desk.org):
        return None
    chain = f"{channel};messageid={root}"
    for ticket in await desk.tickets.list(open_only=True, newest_first=True):
        if chain in posts_of(ticket):
            return ticket
    return None


async def from_agent_side(turn_context: TurnContext, desk: Desk, locks: KeyedLocks) -> bool:
    """Handle a message in a triage or escalation post's reply chain; False when the chain is not one."""
    activity = turn_context.activity
    place = translate.place_of(activity)
    if place.kind != "channel" or not place.root or place.root == activity.id:
        return False
    ticket = await ticket_of_post(desk, place.base, place.root)
    if ticket is None:
        return False
    user, text = translate.actor(activity), translate.text_of(activity)
    if PersonRole.AGENT not in desk.org.roles_of(user, PLATFORM) or not text:
        return True  # talk among colleagues: stays in the agents' reply chain
    ref = f"{PLATFORM}:{place.base}:{activity.id}"
    async with locks.hold(ticket.thread_key or ticket.id):
        await desk.front_line(AgentCommand(Verb.REPLY, ticket.id, text=text), user, PLATFORM, ref=ref)
    return True


async def to_agent_side(poster: Poster, ticket: Ticket, user: str, name: str, text: str) -> None:
    """Post the requester's message (their display name given) into the ticket's Teams reply chains."""
    if user != ticket.requester or not text.strip():
        return
    name = md(name or "The requester")  # a display name is whatever the person typed
    for chain in posts_of(ticket):
        await poster.post_in(chain, f"**{name}** (requester, {ticket.id}): {md(text)}")
