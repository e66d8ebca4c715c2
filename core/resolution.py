"""The requester's verdicts: an article solved it, they still need a person, the survey, not solved."""

from __future__ import annotations

from core import sla
from core.audit import AuditAction, AuditEntry, short
from core.errors import InvalidInput
from core.intake import load_ticket, triage_notice
from core.kb import Library
from core.learning import LearningSync
from core.org import Org
from core.ports import Clock, Notice, UnitOfWork
from core.tickets import ASKED_FOR_A_PERSON, CsatResponse, Message, Resolution, Role, Status, Ticket

LOW_CSAT = 2  # a score at or below this reopens the ticket: the requester is not helped


async def solved_by_article(
    ticket_id: str,
    article_id: str | None,
    by: str,
    *,
    uow: UnitOfWork,
    library: Library,
    learning: LearningSync,
    clock: Clock,
) -> Ticket:
    """The requester says a suggested article solved it: resolve, count it for the article, learn."""
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        chosen = article_id or (ticket.suggested_article_ids[0] if ticket.suggested_article_ids else None)
        if chosen is None:
            raise InvalidInput(f"Ticket {ticket.id} had no suggested article; say which one solved it.")
        if chosen not in ticket.suggested_article_ids:  # a forged id would inflate reuse and teach the ranker
            raise InvalidInput(
                f"{chosen} was not suggested on ticket {ticket.id}; pick one of its suggestions."
            )
        ticket.resolve(clock.now(), Resolution.ARTICLE, article_id=chosen)
        said = f"Solved by {chosen}"
        ticket.add_message(Message(at=clock.now(), role=Role.REQUESTER, author=by, text=said))
        await uow.tickets.save(ticket)
        await uow.articles.count_solved(chosen)
        entry = AuditEntry(clock.now(), by, AuditAction.SOLVED_BY_ARTICLE, ticket.id, detail=chosen)
        await uow.audit.record(entry)
        await uow.commit()
    if ticket.article_id in library.articles:
        library.articles[ticket.article_id].solved_count += 1
    learning.learn(ticket, library)  # every "Solved it" click teaches the ranker
    return ticket


async def ask_for_human(
    ticket_id: str, by: str, *, uow: UnitOfWork, clock: Clock, org: Org
) -> Ticket:
    """The requester still needs help: put the ticket in the triage queue (its SLA clocks start)."""
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        if ticket.status == Status.RESOLVED:
            ticket.reopen(clock.now(), f"{by} still needs help")
        elif ticket.status == Status.NEEDS_HUMAN and ticket.asked_for_person:
            return ticket  # asked already (a double click or a replay): the queue has it once
        else:
            ticket.status = Status.NEEDS_HUMAN
            ticket.add_message(Message(at=clock.now(), role=Role.SYSTEM, author=by, text=ASKED_FOR_A_PERSON))
        sla.start_clocks(ticket, clock.now(), org)
        await uow.tickets.save(ticket)
        await uow.audit.record(AuditEntry(clock.now(), by, AuditAction.ASKED_FOR_PERSON, ticket.id))
        uow.notify(triage_notice(ticket, "the requester asked for a person"))
        await uow.commit()
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
