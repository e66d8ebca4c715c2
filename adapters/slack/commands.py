"""Slash commands: /escalate, /ticket, /causes, /review, and /fixloop help|console|gaps|assign|reply|..."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import agent_commands, blocks, fix_blocks, forms, modals
from adapters.slack.actions import open_escalation
from adapters.slack.console_link import on_console
from adapters.slack.forms import Ref
from adapters.slack.ids import PLATFORM
from adapters.slack.knowledge import on_gaps_command
from core.desk import Desk
from core.errors import InvalidInput
from core.knowledge import KnowledgeDesk
from core.org import PersonRole
from core.threads import STAFF

Command = dict[str, Any]


async def on_escalate(ack: AsyncAck, command: Command, client: AsyncWebClient, desk: Desk) -> None:
    """`/escalate FX-AB12CD [team] [reason]`: open the pre-filled escalation form."""
    await ack()
    user = command["user_id"]
    desk.org.require(user, PersonRole.AGENT, platform=PLATFORM)
    ticket, team, reason = forms.escalate_args(command.get("text", ""), desk.org.team_keys())
    if ticket is None:
        raise InvalidInput(
            "Say which ticket: `/escalate FX-AB12CD [team] [reason]`, or use the *Escalate "
            "ticket* shortcut on a message in the ticket's thread."
        )
    meta = Ref(ticket, channel=command.get("channel_id"))
    await open_escalation(client, desk, command["trigger_id"], meta, team, reason)


async def on_ticket(ack: AsyncAck, command: Command, respond: AsyncRespond, desk: Desk) -> None:
    """`/ticket` lists my open tickets; `/ticket FX-AB12CD` shows one."""
    await ack()
    user, ticket_id = command["user_id"], forms.ticket_id_in(command.get("text", ""))
    if ticket_id:
        ticket = await desk.ticket_for(ticket_id, user, PLATFORM)
        staff = bool(desk.org.roles_of(user, PLATFORM) & set(STAFF))
        summary = blocks.esc(f"{ticket.id}: {ticket.subject}")
        await respond(blocks=blocks.ticket_detail(ticket, staff), text=summary)
    else:
        await respond(
            blocks=blocks.ticket_list(await desk.my_tickets(user), "Your open tickets"),
            text="Your open tickets",
        )


async def on_causes(ack: AsyncAck, command: Command, respond: AsyncRespond, desk: Desk) -> None:
    """`/causes`: root causes ranked by business impact, for leaders."""
    await ack()
    desk.org.require(command["user_id"], PersonRole.LEADER, platform=PLATFORM)
    ranked = await desk.ranked_causes(limit=10)
    shown = blocks.causes(ranked) + fix_blocks.file_fix_actions(ranked)
    await respond(blocks=shown, text="The root causes by business impact")


async def on_review(ack: AsyncAck, command: Command, client: AsyncWebClient, desk: Desk) -> None:
    """`/review @agent` or `/review FX-AB12CD`: open the four-part review form, for managers."""
    await ack()
    desk.org.require(command["user_id"], PersonRole.MANAGER, platform=PLATFORM)
    text = command.get("text", "")
    ticket_id, agent = forms.ticket_id_in(text) or "", forms.mentioned_user(text)
    hint = ""
    if agent and not ticket_id:
        person = desk.org.person(agent, PLATFORM)
        recent = await desk.tickets.list(agent=person.key if person else agent, limit=5, newest_first=True)
        hint = f"Recent tickets of {person.name if person else agent}: " + (
            ", ".join(f"{t.id} ({t.subject[:40]})" for t in recent) or "none yet"
        )
    meta = Ref(ticket_id, channel=command.get("channel_id"))
    await client.views_open(trigger_id=command["trigger_id"], view=modals.review(meta, ticket_id, hint))


async def on_fixloop(
    ack: AsyncAck,
    command: Command,
    client: AsyncWebClient,
    respond: AsyncRespond,
    desk: Desk,
    knowledge: KnowledgeDesk | None = None,
) -> None:
    """`/fixloop console`: a sign-in link in a DM; `/fixloop gaps` for knowledge owners; else the commands."""
    await ack()
    if agent_commands.is_front_line(command.get("text") or ""):  # assign, reply, resolve, priority, link
        await agent_commands.on_front_line(command, respond, desk)
        return
    text = (command.get("text") or "").strip().lower()
    if text == "gaps":
        await on_gaps_command(command, respond, knowledge)
        return
    if text == "console":
        await on_console(command, client, respond, desk)
        return
    await respond(blocks=[blocks.section(blocks.HELP)], text="Fixloop help")
