"""Use cases that close the loop with the requester: the survey, reopen, and its answer."""

from __future__ import annotations

from core.audit import AuditAction, AuditEntry, short
from core.errors import InvalidInput
from core.intake import load_ticket, triage_notice
from core.ports import Clock, Notice, UnitOfWork
from core.tickets import CsatResponse, Ticket

LOW_CSAT = 2  # a score at or below this reopens the ticket: the requester is not helped


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
        entry = AuditEntry(clock.now(), by, AuditAction.REOPENED, ticket.id, detail=short(reason))
        await uow.audit.record(entry)
        uow.notify(triage_notice(ticket, f"reopened: {reason}"))
        await uow.commit()
    return ticket


async def record_csat(
    ticket_id: str,
    score: int,
    by: str,
    solved: bool = True,
    platform: str | None = None,
    *,
    uow: UnitOfWork,
    clock: Clock,
) -> Ticket:
    """Record a 1-5 answer; a low score or "not solved" reopens the ticket."""
    if not 1 <= score <= 5:
        raise InvalidInput(f"A CSAT score is a whole number from 1 to 5, not {score}.")
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        if not ticket.asked_by(by, platform):
            raise InvalidInput("Only the person who asked can rate this ticket.")
        if ticket.resolved_at is None:
            raise InvalidInput(f"Ticket {ticket.id} has not been resolved yet, so there is nothing to rate.")
        now = clock.now()
        await uow.csat.add(CsatResponse(ticket_id=ticket.id, score=score, solved=solved, at=now, by=by))
        rated = f"{score}/5" + ("" if solved else ", not solved")
        await uow.audit.record(AuditEntry(now, by, AuditAction.CSAT_RECORDED, ticket.id, detail=rated))
        if ticket.csat_at is None:  # the KPI counts the first answer; later ones stay in the history
            ticket.csat, ticket.csat_at = score, now
        if (not solved or score <= LOW_CSAT) and ticket.reopen_allowed():
            ticket.reopen(now, "not solved" if not solved else f"CSAT {score}/5")
            uow.notify(triage_notice(ticket, "the requester says it is not solved"))
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket
