"""Chat-thread use cases every platform shares: edits, deletions, my tickets, the queue, triage context."""

from __future__ import annotations

from dataclasses import dataclass

from core.audit import AuditAction, AuditEntry, short
from core.causes import Cause
from core.escalation import RoutingSuggestion
from core.intake import load_ticket
from core.kb import Article, Library
from core.messages import check_text
from core.near_miss import NearMiss, ticket_near_miss
from core.org import STAFF as STAFF  # re-exported: the adapters read it here
from core.org import Org, PersonRole
from core.ports import CauseRepository, Clock, Reports, TicketRepository, UnitOfWork
from core.routing import suggest_owner
from core.tickets import Message, Role, Status, Ticket


@dataclass(frozen=True)
class TriageContext:
    """What an agent needs to pick a ticket up: who, where, what was tried, what it looks like."""

    ticket: Ticket
    articles_tried: list[Article]
    similar: list[Ticket]
    likely_cause: Cause | None
    likely_owner: RoutingSuggestion
    near_miss: NearMiss | None = None  # where the bot stayed quiet: what it nearly offered


def _message(ticket: Ticket, ref: str) -> Message | None:
    return next((m for m in ticket.messages if m.ref == ref), None)


async def find_thread(thread_key: str, *, tickets: TicketRepository) -> Ticket | None:
    """The ticket of a chat thread, if there is one."""
    return await tickets.find_by_thread(thread_key)


async def edit_message(
    thread_key: str, ref: str, text: str, by: str, platform: str, *, uow: UnitOfWork, org: Org, clock: Clock
) -> Ticket | None:
    """Apply an edit to a logged message; the first request message also updates the ticket's text.

    The audit entry keeps the text before the edit: the ticket's record of what was asked is not lost.
    """
    async with uow:
        ticket = await uow.tickets.find_by_thread(thread_key)
        message = _message(ticket, ref) if ticket else None
        if ticket is None or message is None or message.text == text.strip():
            return ticket  # unknown, or the same text again (a redelivery): nothing changes
        before = message.text
        message.text, message.edited_at = check_text(text), clock.now()
        first = next((m for m in ticket.messages if m.role == Role.REQUESTER), None)
        if first is message:
            ticket.text = message.text
            ticket.subject = message.text.splitlines()[0][:200]
        await uow.tickets.save(ticket)
        who, detail = org.key_of(by, platform), f"{ref}: before: {short(before)}"
        entry = AuditEntry(message.edited_at, who, AuditAction.MESSAGE_EDITED, ticket.id, detail=detail)
        await uow.audit.record(entry)
        await uow.commit()
    return ticket


async def delete_message(
    thread_key: str, ref: str, by: str, platform: str, *, uow: UnitOfWork, org: Org, clock: Clock
) -> Ticket | None:
    """Record that a logged message was deleted; its text is kept, not lost.

    `by`: who deleted it when the platform says so, else its author (Slack's event does not say).
    """
    async with uow:
        ticket = await uow.tickets.find_by_thread(thread_key)
        message = _message(ticket, ref) if ticket else None
        if ticket is None or message is None or message.deleted_at is not None:
            return ticket  # unknown, or deleted already (a redelivery)
        message.deleted_at = clock.now()
        await uow.tickets.save(ticket)
        who = org.key_of(by, platform)
        entry = AuditEntry(message.deleted_at, who, AuditAction.MESSAGE_DELETED, ticket.id, detail=ref)
        await uow.audit.record(entry)
        await uow.commit()
    return ticket


async def remember_chat(ticket_id: str, refs: dict[str, str], *, uow: UnitOfWork) -> Ticket | None:
    """Keep chat references on a ticket (where its triage or escalation post went, for relaying)."""
    async with uow:
        ticket = await uow.tickets.get(ticket_id)
        if ticket is None or all(ticket.chat.get(k) == v for k, v in refs.items()):
            return ticket
        ticket.chat.update(refs)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket


async def ticket_for(
    ticket_id: str, viewer: str, platform: str | None = None, *, tickets: TicketRepository, org: Org
) -> Ticket:
    """A ticket as its requester or a member of staff (on `platform`) may see it; anyone else is refused."""
    ticket = await load_ticket(ticket_id, tickets)
    if not ticket.asked_by(viewer, platform):
        org.require(viewer, *STAFF, platform=platform)
    return ticket


async def my_tickets(who: str, *, tickets: TicketRepository, org: Org, limit: int = 20) -> list[Ticket]:
    """The open tickets a person asked for, and for an agent the ones they hold, newest first."""
    mine = await tickets.list(requester=who, open_only=True, limit=limit, newest_first=True)
    person = org.person(who)
    if person and PersonRole.AGENT in person.roles:
        held = await tickets.list(agent=person.key, open_only=True, limit=limit, newest_first=True)
        mine += [t for t in held if t.id not in {m.id for m in mine}]
    return mine[:limit]


async def queue(*, tickets: TicketRepository, limit: int = 20) -> list[Ticket]:
    """Open tickets waiting for a person, oldest first."""
    return await tickets.list(statuses=(Status.NEEDS_HUMAN.value,), limit=limit)


async def triage_context(
    ticket_id: str,
    *,
    tickets: TicketRepository,
    causes: CauseRepository,
    reports: Reports,
    library: Library,
    org: Org,
    similar_limit: int = 3,
) -> TriageContext:
    """The ticket with the articles already offered, similar recent tickets, likely cause and owner."""
    ticket = await load_ticket(ticket_id, tickets)
    similar: list[Ticket] = []
    if ticket.cause_key:
        same = await tickets.list(cause_key=ticket.cause_key, limit=similar_limit + 1, newest_first=True)
        similar = [t for t in same if t.id != ticket.id][:similar_limit]
    return TriageContext(
        ticket=ticket,
        articles_tried=[library.articles[a] for a in ticket.suggested_article_ids if a in library.articles],
        similar=similar,
        likely_cause=await causes.get(ticket.cause_key) if ticket.cause_key else None,
        likely_owner=await suggest_owner(ticket, org=org, reports=reports, articles=library.articles),
        near_miss=ticket_near_miss(ticket, library=library),
    )
