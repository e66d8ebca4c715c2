"""Relaying between a requester's thread and the triage or escalation post about their ticket.

A ticket opened in a DM (or any channel agents are not in) is posted to the triage channel, and when
escalated to the owning team's channel. The SlackNotifier keeps where it posted in ticket.chat
(post_refs); an agent's reply in that post's thread is the agent's reply to the ticket and is relayed
to the requester, and the requester's later messages are relayed into the post's thread. Messages from
people who are not agents in the post's thread stay there: they are not relayed and not recorded.
"""

from __future__ import annotations

import uuid
from typing import Any

from adapters.locks import KeyedLocks
from adapters.slack.blocks import cut, section
from adapters.slack.escape import esc
from adapters.slack.ids import PLATFORM
from adapters.slack.posting import Poster
from adapters.slack.translate import message_ref
from core.desk import Desk
from core.org import Org, PersonRole
from core.tickets import Ticket

KINDS = ("triage", "escalation")  # the notice kinds whose posts relay


def post_refs(kind: str, channel: str, ts: str) -> dict[str, str]:
    """The ticket.chat keys that remember where a triage or escalation notice was posted."""
    return {f"{kind}_channel": channel, f"{kind}_ts": ts}


def posts_of(ticket: Ticket) -> list[tuple[str, str]]:
    """(channel, ts) of each triage or escalation post known for a ticket, without repeats."""
    found: list[tuple[str, str]] = []
    for kind in KINDS:
        channel, ts = ticket.chat.get(f"{kind}_channel"), ticket.chat.get(f"{kind}_ts")
        if channel and ts and (channel, ts) not in found:
            found.append((channel, ts))
    return found


def agent_channels(org: Org) -> set[str]:
    """Slack channels triage and escalation notices go to: the only places a relay thread can be."""
    channels = {team.channels.get("slack") for team in org.teams}
    channels |= {targets.get("slack") for targets in org.channels.values()}
    return {c for c in channels if c}


async def ticket_of_post(desk: Desk, channel: str, ts: str) -> Ticket | None:
    """The open Slack ticket whose triage or escalation notice is the message (channel, ts)."""
    if channel not in agent_channels(desk.org):
        return None
    for ticket in await desk.tickets.list(open_only=True, newest_first=True):
        if ticket.platform == "slack" and (channel, ts) in posts_of(ticket):
            return ticket
    return None


def _name(org: Org, user: str) -> str:
    person = org.person(user, PLATFORM)
    return esc(person.name) if person else f"<@{user}>"


async def _post(poster: Poster, key: str, channel: str, thread_ts: str | None, line: str) -> None:
    await poster.post(key, channel, thread_ts, [section(line)], cut(line, 3000))


async def from_agent_side(
    event: dict[str, Any], text: str, poster: Poster, desk: Desk, locks: KeyedLocks
) -> bool:
    """Handle a reply in a triage or escalation thread; False when the thread is not one."""
    channel, root, user = event.get("channel"), event.get("thread_ts"), event.get("user")
    if not channel or not root or not user or root == event.get("ts"):
        return False
    ticket = await ticket_of_post(desk, channel, root)
    if ticket is None:
        return False
    if PersonRole.AGENT not in desk.org.roles_of(user, PLATFORM) or not text.strip():
        return True  # talk among colleagues (or an empty file share): stays in the agents' thread
    ref = message_ref(channel, str(event.get("ts")))
    async with locks.hold(ticket.thread_key or ""):  # its notice (the outbox) relays it to the requester
        await desk.agent_reply(ticket.id, user, text, PLATFORM, ref=ref)
    return True


async def to_agent_side(
    poster: Poster, ticket: Ticket, user: str, text: str, org: Org, ref: str | None
) -> None:
    """Relay the requester's message into the ticket's triage and escalation threads, if any are known."""
    if user != ticket.requester or not text.strip():
        return
    for channel, ts in posts_of(ticket):
        line = f"*{_name(org, user)}* (requester, {ticket.id}): {esc(text)}"
        await _post(poster, f"relay:{ref or uuid.uuid4().hex}:{channel}:{ts}", channel, ts, line)
