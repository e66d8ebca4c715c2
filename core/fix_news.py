"""When a fix ships, close the loop with people: requesters, the owning team and triage are told."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from core.audit import AuditAction, AuditEntry
from core.causes import Cause
from core.errors import InvalidInput
from core.incident_resolution import close_for_fix
from core.incidents import IncidentUnitOfWork
from core.intake import load_ticket
from core.ports import Clock, Notice, TicketRepository, UnitOfWork
from core.tickets import Message, Resolution, Role, Status, Surface, Ticket

SOLVED = "That solved it"
STILL = "Still happening"


async def announce_fix(cause: Cause, uow: UnitOfWork, now: datetime) -> int:
    """Queue, in the shipping's unit of work, news for each open ticket's requester, the owner and triage."""
    shipped = cause.fix_shipped_at
    if shipped is None:
        return 0
    if hasattr(uow, "incidents"):  # its incident closes; requesters told of it are not told again
        await close_for_fix(cause, cast(IncidentUnitOfWork, uow), now)
    told = 0
    for ticket in await uow.tickets.list(cause_key=cause.key, open_only=True):
        if ticket.fix_notified_at is not None and ticket.fix_notified_at >= shipped:
            continue  # told of this shipping already
        uow.notify(_requester_notice(cause, ticket, shipped.isoformat()))
        ticket.fix_notified_at = now
        await uow.tickets.save(ticket)
        told += 1
    text = f"The fix of {cause.title} shipped ({cause.fix_url or 'no link'}). {told} requesters were told."
    data = {"cause_key": cause.key, "title": cause.title, "fix_url": cause.fix_url, "told": told}
    for to in ([f"team:{cause.owner}"] if cause.owner else []) + ["triage"]:
        uow.notify(Notice(kind="fix_shipped_team", to=to, text=text, data=data,
                          key=f"fix-shipped:{cause.key}:{to}:{shipped.isoformat()}"))
    return told


def _requester_notice(cause: Cause, ticket: Ticket, shipped: str) -> Notice:
    # A customer may not see the owner's tracker: the link goes to internal requesters only.
    url = cause.fix_url if ticket.surface == Surface.INTERNAL else None
    text = (f"Good news: the problem you reported ({ticket.id}) was fixed"
            f"{': ' + url if url else ''}. Does it work for you now?")
    return Notice(
        kind="fix_shipped", to=f"thread:{ticket.id}", ticket_id=ticket.id, text=text,
        data={"cause_key": cause.key, "title": cause.title, "fix_url": url, "subject": ticket.subject},
        key=f"fix-told:{ticket.id}:{shipped}",
    )


async def fix_solved(
    ticket_id: str, by: str, platform: str | None = None, *, uow: UnitOfWork, clock: Clock
) -> Ticket:
    """The requester says the fix solved it: the ticket is resolved as fixed (clicked again: no change)."""
    async with uow:
        ticket = await _own_ticket(ticket_id, by, platform, uow.tickets)
        if ticket.status == Status.RESOLVED:
            return ticket
        now = clock.now()
        ticket.resolve(now, Resolution.FIX)
        ticket.add_message(Message(at=now, role=Role.SYSTEM, author=by, text=f"{SOLVED} (the fix shipped)"))
        await uow.tickets.save(ticket)
        await uow.audit.record(_answer(now, by, AuditAction.FIX_CONFIRMED, ticket, SOLVED))
        await uow.commit()
    return ticket


async def fix_still_happening(
    ticket_id: str, by: str, platform: str | None = None, *, uow: UnitOfWork, clock: Clock
) -> Ticket:
    """The requester says it still happens: the question goes back to the owning team, once."""
    async with uow:
        ticket = await _own_ticket(ticket_id, by, platform, uow.tickets)
        now = clock.now()
        if ticket.status == Status.RESOLVED:
            ticket.reopen(now, STILL)
        elif any(m.role == Role.SYSTEM and STILL in m.text for m in ticket.messages):
            return ticket  # said already
        else:
            ticket.status = Status.NEEDS_HUMAN
            ticket.add_message(Message(at=now, role=Role.SYSTEM, author=by, text=STILL))
        await uow.tickets.save(ticket)
        to = f"team:{ticket.escalated_to}" if ticket.escalated_to else "triage"
        uow.notify(Notice(
            kind="fix_still_happening", to=to, ticket_id=ticket.id,
            text=f"{ticket.id}: the requester says the problem still happens after the fix shipped.",
            key=f"fix-still:{ticket.id}:{now.isoformat()}",
        ))
        await uow.audit.record(_answer(now, by, AuditAction.FIX_STILL_HAPPENING, ticket, STILL))
        await uow.commit()
    return ticket


def _answer(now: datetime, by: str, action: AuditAction, ticket: Ticket, said: str) -> AuditEntry:
    return AuditEntry(now, by, action, ticket_id=ticket.id, detail=said)


async def _own_ticket(ticket_id: str, by: str, platform: str | None, tickets: TicketRepository) -> Ticket:
    ticket = await load_ticket(ticket_id, tickets)
    if not ticket.asked_by(by, platform):
        raise InvalidInput("Only the person who asked can answer this.")
    return ticket
