"""Typed commands: help, ticket, escalate, causes, review (Teams bots have no slash commands)."""

from __future__ import annotations

from botbuilder.core import MessageFactory, TurnContext

from adapters.teams import cards, forms, translate
from adapters.teams.actions import send_escalation_form
from adapters.teams.cards import Card
from adapters.teams.console_link import on_console
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM, Verb
from adapters.teams.translate import Typed
from core.desk import Desk
from core.errors import InvalidInput
from core.org import PersonRole
from core.threads import STAFF


async def dispatch(turn_context: TurnContext, typed: Typed, desk: Desk) -> None:
    """Run a typed command."""
    user = translate.actor(turn_context.activity)
    if typed.verb == Verb.HELP:
        await send(turn_context, forms.help_card(), "Fixloop help")
    elif typed.verb == Verb.TICKET:
        await on_ticket(turn_context, typed, desk, user)
    elif typed.verb == Verb.CAUSES:
        desk.org.require(user, PersonRole.LEADER, platform=PLATFORM)
        ranked = await desk.ranked_causes(limit=10)
        await send(turn_context, forms.causes(ranked), "The root causes by business impact")
    elif typed.verb == Verb.CONSOLE:
        await on_console(turn_context, desk, user)
    elif typed.verb == Verb.ESCALATE:
        await on_escalate(turn_context, typed, desk, user)
    else:
        await on_review(turn_context, typed, desk, user)


async def send(turn_context: TurnContext, card: Card, fallback: str) -> None:
    """Reply with a card; the fallback text (escaped here) shows in notifications."""
    await turn_context.send_activity(MessageFactory.attachment(cards.attachment(card), text=md(fallback)))


async def on_ticket(turn_context: TurnContext, typed: Typed, desk: Desk, user: str) -> None:
    """`ticket` lists my open tickets; `ticket FX-AB12CD` shows one."""
    if typed.ticket:
        ticket = await desk.ticket_for(typed.ticket, user, PLATFORM)
        staff = bool(desk.org.roles_of(user, PLATFORM) & set(STAFF))
        await send(turn_context, forms.ticket_detail(ticket, staff), f"{ticket.id}: {ticket.subject}")
    else:
        await send(
            turn_context, forms.ticket_list(await desk.my_tickets(user), "Your open tickets"), "Tickets"
        )


async def on_escalate(turn_context: TurnContext, typed: Typed, desk: Desk, user: str) -> None:
    """`escalate [FX-AB12CD] [team] [reason]`: the ticket id, or the ticket of this reply chain."""
    desk.org.require(user, PersonRole.AGENT, platform=PLATFORM)
    ticket_id = typed.ticket
    place = translate.place_of(turn_context.activity)
    if ticket_id is None and place.root:
        found = await desk.find_thread(translate.thread_key(place, place.root))
        ticket_id = found.id if found else None
    if ticket_id is None:
        raise InvalidInput(
            "Say which ticket: `escalate FX-AB12CD [team] [reason]`, or type it in the ticket's thread."
        )
    await desk.ticket_for(ticket_id, user, PLATFORM)
    await send_escalation_form(turn_context, desk, ticket_id, typed.team, typed.reason)


async def on_review(turn_context: TurnContext, typed: Typed, desk: Desk, user: str) -> None:
    """`review FX-AB12CD` or `review @agent`: the four-part review form, for managers."""
    desk.org.require(user, PersonRole.MANAGER, platform=PLATFORM)
    hint = ""
    if typed.mentioned and not typed.ticket:
        mid, name = typed.mentioned[0]
        person = desk.org.person(mid) or next((p for p in desk.org.people if p.name == name), None)
        recent = await desk.tickets.list(agent=person.key if person else mid, limit=5, newest_first=True)
        listed = ", ".join(f"{t.id} ({t.subject[:40]})" for t in recent) or "none yet"
        hint = f"Recent tickets of {person.name if person else name}: {listed}"
    await send(turn_context, forms.review_form(typed.ticket or "", hint), "Ticket review")
