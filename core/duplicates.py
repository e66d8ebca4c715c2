"""Duplicates: a requester's new ticket close to their open one joins it; close ones of others are shown.

The triage post's *Link* button links them through the front line's `link` (core/frontline.py)."""

from __future__ import annotations

from datetime import datetime

from core.audit import AuditAction, AuditEntry
from core.errors import TicketNotFound
from core.incidents import IncidentRules, IncidentUnitOfWork, background, close_to, words
from core.messages import LogRequest, Reply
from core.ports import Notice, TicketRepository
from core.tickets import Message, Role, Status, Ticket

OPEN_LOOKED_AT = 200  # the newest open tickets compared with a triage post's ticket


async def join_open(
    cmd: LogRequest,
    reply: Reply,
    *,
    uow: IncidentUnitOfWork,
    rules: IncidentRules,
    now: datetime,
    weights: list[str],
) -> Reply | None:
    """If the new request is close to one of the requester's open tickets, add it there instead."""
    if not cmd.text.strip():  # files alone: no words to compare, a person looks at them (core/intake.py)
        return None
    mine = [
        t
        for t in await uow.tickets.list(requester=cmd.requester, open_only=True, newest_first=True, limit=20)
        if t.platform == cmd.platform
    ]
    for t in mine:  # logged there before: a redelivery of a request that joined it
        if cmd.message_ref and any(m.ref == cmd.message_ref for m in t.messages):
            return Reply(ticket=t, suggestions=reply.suggestions, is_new=False, replayed=True)
    close = close_to(
        words(reply.ticket), mine, rules.similar, rules.policy.duplicate_similarity, background=weights
    )
    if not close:
        return None
    ticket, text = close[0], reply.ticket.messages[0].text
    ticket.add_message(
        Message(at=now, role=Role.REQUESTER, author=cmd.requester, text=text, ref=cmd.message_ref)
    )
    ticket.attachments += reply.ticket.attachments  # its files, marked with its message (core/attachments)
    if ticket.status == Status.SUGGESTED:  # a second ask: a person should look
        ticket.status = Status.NEEDS_HUMAN
    await uow.tickets.save(ticket)
    await uow.audit.record(
        AuditEntry(
            now,
            cmd.requester,
            AuditAction.DUPLICATE_JOINED,
            ticket_id=ticket.id,
            detail="a new request close to this open ticket",
        )
    )
    told = (
        f"This looks like your open ticket {ticket.id} ({ticket.subject}), so I added your message "
        "to it rather than opening a new one. The people working on it see it."
    )
    uow.notify(
        Notice(
            kind="duplicate_joined",
            to=f"thread:{ticket.id}",
            ticket_id=ticket.id,
            text=told,
            key=f"joined:{ticket.id}:{cmd.message_ref or now.isoformat()}",
        )
    )
    return Reply(ticket=ticket, suggestions=reply.suggestions, is_new=False)


async def similar_open(
    ticket_id: str,
    *,
    tickets: TicketRepository,
    incident_rules: IncidentRules | None,
) -> list[Ticket]:
    """Open tickets of other requesters close to this one and not linked to it yet, closest first."""
    rules = incident_rules
    if rules is None:
        return []
    ticket = await load_ticket(ticket_id, tickets)
    linked = set(ticket.linked)  # linked by an agent (the Link button or `link FX-... FX-...`)
    pool = [
        t
        for t in await tickets.list(open_only=True, newest_first=True, limit=OPEN_LOOKED_AT)
        if t.requester != ticket.requester and t.id != ticket.id and t.id not in linked
    ]
    close = close_to(
        words(ticket), pool, rules.similar, rules.policy.similarity, background=await background(tickets)
    )
    return close[: rules.policy.similar_shown]


async def load_ticket(ticket_id: str, tickets: TicketRepository) -> Ticket:
    """Fetch a ticket by id (core/intake's look-up, which imports this module)."""
    ticket = await tickets.get(ticket_id.strip().upper()[:40])
    if ticket is None:
        raise TicketNotFound(ticket_id[:40])
    return ticket
