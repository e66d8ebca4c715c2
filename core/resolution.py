"""Use cases that close the loop with the requester: resolve, reopen, and the CSAT survey."""

from __future__ import annotations

import logging

from core.errors import InvalidInput
from core.intake import load_ticket, notify_triage
from core.org import Org, PersonRole
from core.ports import Clock, CsatRepository, Notice, Notifier, TicketRepository
from core.tickets import CsatResponse, Message, Resolution, Role, Ticket

log = logging.getLogger(__name__)

LOW_CSAT = 2  # a score at or below this reopens the ticket: the requester is not helped


async def resolve(
    ticket_id: str,
    by: str,
    *,
    how: Resolution = Resolution.AGENT,
    note: str = "",
    tickets: TicketRepository,
    org: Org,
    clock: Clock,
    notifier: Notifier,
) -> Ticket:
    """An agent resolves the ticket; the requester gets a one-click CSAT survey."""
    org.require(by, PersonRole.AGENT)
    ticket = await load_ticket(ticket_id, tickets)
    now = clock.now()
    person = org.person(by)
    ticket.assign(person.key if person else by)
    ticket.resolve(now, how)
    ticket.add_message(Message(at=now, role=Role.SYSTEM, author=by, text=f"Resolved. {note}".strip()))
    await tickets.save(ticket)
    await _send_survey(ticket, notifier)
    return ticket


async def _send_survey(ticket: Ticket, notifier: Notifier) -> None:
    notice = Notice(
        kind="csat",
        to=f"person:{ticket.requester}",
        ticket_id=ticket.id,
        text=f"Your ticket {ticket.id} was resolved. How did we do, from 1 to 5?",
        data={"subject": ticket.subject},
    )
    try:
        await notifier.send(notice)
    except Exception:  # fan-out: the resolution stands; redelivery belongs to the outbox
        log.exception("CSAT survey for %s failed", ticket.id)


async def reopen(
    ticket_id: str, by: str, reason: str, *, tickets: TicketRepository, clock: Clock, notifier: Notifier
) -> Ticket:
    """Reopen a resolved ticket and send it back to triage."""
    ticket = await load_ticket(ticket_id, tickets)
    ticket.reopen(clock.now(), reason or f"reopened by {by}")
    await tickets.save(ticket)
    await notify_triage(ticket, notifier, why=f"reopened: {reason}")
    return ticket


async def record_csat(
    ticket_id: str,
    score: int,
    by: str,
    *,
    solved: bool = True,
    tickets: TicketRepository,
    csat: CsatRepository,
    clock: Clock,
    notifier: Notifier,
) -> Ticket:
    """Record a 1-5 answer; a low score or "not solved" reopens the ticket."""
    if not 1 <= score <= 5:
        raise InvalidInput(f"A CSAT score is a whole number from 1 to 5, not {score}.")
    ticket = await load_ticket(ticket_id, tickets)
    if by != ticket.requester:
        raise InvalidInput("Only the person who asked can rate this ticket.")
    if ticket.resolved_at is None:
        raise InvalidInput(f"Ticket {ticket.id} has not been resolved yet, so there is nothing to rate.")
    now = clock.now()
    await csat.add(CsatResponse(ticket_id=ticket.id, score=score, solved=solved, at=now, by=by))
    if ticket.csat_at is None:  # the KPI counts the first answer; later ones stay in the history
        ticket.csat, ticket.csat_at = score, now
    reopen_it = (not solved or score <= LOW_CSAT) and ticket.reopen_allowed()
    if reopen_it:
        ticket.reopen(now, "not solved" if not solved else f"CSAT {score}/5")
    await tickets.save(ticket)
    if reopen_it:
        await notify_triage(ticket, notifier, why="the requester says it is not solved")
    return ticket
