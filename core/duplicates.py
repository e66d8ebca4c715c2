"""Duplicates: a requester's new ticket close to their open one joins it; close ones of others are shown.

The triage post's *Link* button links them through the front line's `link` (core/frontline.py)."""

from __future__ import annotations

from datetime import datetime

from core.audit import AuditAction, AuditEntry
from core.errors import TicketNotFound
from core.gists import Gist, WordWeights
from core.incidents import IncidentRepository, IncidentRules, IncidentUnitOfWork, close_to, words
from core.messages import LogRequest, Reply
from core.ports import Clock, Notice, TicketRepository
from core.tickets import Message, Role, Status, Ticket

OPEN_LOOKED_AT = 200  # the newest open tickets compared with a triage post's ticket


async def join_open(
    cmd: LogRequest,
    reply: Reply,
    *,
    uow: IncidentUnitOfWork,
    rules: IncidentRules,
    now: datetime,
    weights: WordWeights,
) -> Reply | None:
    """If the new request is close to one of the requester's open tickets, add it there instead."""
    if not cmd.text.strip():  # files alone: no words to compare, a person looks at them (core/intake.py)
        return None
    reads = uow.incidents
    mine = [t for t in await reads.open_of(cmd.requester, limit=20) if t.platform == cmd.platform]
    held = await reads.holding(cmd.message_ref, [t.id for t in mine]) if cmd.message_ref and mine else None
    if held is not None and (t := await uow.tickets.get(held)) is not None:
        # logged there before: a redelivery of a request that joined it
        return Reply(ticket=t, suggestions=reply.suggestions, is_new=False, replayed=True)
    close = close_to(words(reply.ticket), mine, weights.similar, rules.policy.duplicate_similarity)
    ticket = await uow.tickets.get(close[0].id) if close else None
    if ticket is None:
        return None
    text = reply.ticket.messages[0].text
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
    incidents: IncidentRepository | None,
    incident_rules: IncidentRules | None,
    clock: Clock,
) -> list[Gist]:
    """Open tickets of other requesters close to this one and not linked to it yet, closest first."""
    rules = incident_rules
    if rules is None or incidents is None:
        return []
    ticket = await load_ticket(ticket_id, tickets)
    linked = set(ticket.linked)  # linked by an agent (the Link button or `link FX-... FX-...`)
    pool = [
        t
        for t in await incidents.open_since(None, limit=OPEN_LOOKED_AT)
        if t.requester != ticket.requester and t.id != ticket.id and t.id not in linked
    ]
    weights = await rules.word_weights(incidents, clock.now())
    close = close_to(words(ticket), pool, weights.similar, rules.policy.similarity)
    return close[: rules.policy.similar_shown]


async def load_ticket(ticket_id: str, tickets: TicketRepository) -> Ticket:
    """Fetch a ticket by id (core/intake's look-up, which imports this module)."""
    ticket = await tickets.get(ticket_id.strip().upper()[:40])
    if ticket is None:
        raise TicketNotFound(ticket_id[:40])
    return ticket
