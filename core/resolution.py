"""Use cases that close the loop with the requester: resolve, reopen, and the CSAT survey."""

from __future__ import annotations

from core.errors import InvalidInput
from core.intake import load_ticket, triage_notice
from core.kb import Library
from core.learning import LearningSync
from core.org import Org, PersonRole
from core.ports import Clock, Notice, UnitOfWork
from core.tickets import CsatResponse, Message, Resolution, Role, Ticket

LOW_CSAT = 2  # a score at or below this reopens the ticket: the requester is not helped


async def resolve(
    ticket_id: str,
    by: str,
    how: Resolution = Resolution.AGENT,
    note: str = "",
    *,
    uow: UnitOfWork,
    org: Org,
    clock: Clock,
    library: Library,
    learning: LearningSync,
) -> Ticket:
    """An agent resolves the ticket; the requester gets a one-click CSAT survey."""
    org.require(by, PersonRole.AGENT)
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        now = clock.now()
        person = org.person(by)
        ticket.assign(person.key if person else by)
        ticket.resolve(now, how)
        ticket.add_message(Message(at=now, role=Role.SYSTEM, author=by, text=f"Resolved. {note}".strip()))
        await uow.tickets.save(ticket)
        uow.notify(survey_notice(ticket))
        await uow.commit()
    learning.learn(ticket, library)  # offered articles that did not answer it teach the ranker to abstain
    return ticket


def survey_notice(ticket: Ticket) -> Notice:
    """The one-click CSAT survey a requester gets when their ticket is resolved."""
    return Notice(
        kind="csat",
        to=f"person:{ticket.requester}",
        ticket_id=ticket.id,
        text=f"Your ticket {ticket.id} was resolved. How did we do, from 1 to 5?",
        data={"subject": ticket.subject},
    )


async def reopen(ticket_id: str, by: str, reason: str, *, uow: UnitOfWork, clock: Clock) -> Ticket:
    """Reopen a resolved ticket and send it back to triage."""
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        ticket.reopen(clock.now(), reason or f"reopened by {by}")
        await uow.tickets.save(ticket)
        uow.notify(triage_notice(ticket, f"reopened: {reason}"))
        await uow.commit()
    return ticket


async def record_csat(
    ticket_id: str, score: int, by: str, solved: bool = True, *, uow: UnitOfWork, clock: Clock
) -> Ticket:
    """Record a 1-5 answer; a low score or "not solved" reopens the ticket."""
    if not 1 <= score <= 5:
        raise InvalidInput(f"A CSAT score is a whole number from 1 to 5, not {score}.")
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        if by != ticket.requester:
            raise InvalidInput("Only the person who asked can rate this ticket.")
        if ticket.resolved_at is None:
            raise InvalidInput(f"Ticket {ticket.id} has not been resolved yet, so there is nothing to rate.")
        now = clock.now()
        await uow.csat.add(CsatResponse(ticket_id=ticket.id, score=score, solved=solved, at=now, by=by))
        if ticket.csat_at is None:  # the KPI counts the first answer; later ones stay in the history
            ticket.csat, ticket.csat_at = score, now
        if (not solved or score <= LOW_CSAT) and ticket.reopen_allowed():
            ticket.reopen(now, "not solved" if not solved else f"CSAT {score}/5")
            uow.notify(triage_notice(ticket, "the requester says it is not solved"))
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket
