"""Use cases of a ticket's life: log a request, solved by an article, ask for a human, reply, resolve."""

from __future__ import annotations

import logging
from datetime import datetime

from core.cause_matching import CauseMatcher
from core.errors import DuplicateTicket, InvalidInput, TicketNotFound
from core.kb import Library, Suggestions
from core.limits import MAX_ID, check_size
from core.messages import LogRequest, Reply, check_text
from core.org import Org, PersonRole
from core.ports import ArticleRepository, Clock, Notice, Notifier, TicketRepository
from core.tickets import ASKED_FOR_A_PERSON, Message, Resolution, Role, Status, Ticket, new_ticket_id

log = logging.getLogger(__name__)


async def load_ticket(ticket_id: str, tickets: TicketRepository) -> Ticket:
    """Fetch a ticket by id or raise TicketNotFound."""
    check_size(ticket_id.strip(), MAX_ID, "ticket id")
    ticket = await tickets.get(ticket_id.strip().upper()) or await tickets.get(ticket_id.strip())
    if ticket is None:
        raise TicketNotFound(ticket_id)
    return ticket


async def log_request(
    cmd: LogRequest,
    *,
    tickets: TicketRepository,
    library: Library,
    matcher: CauseMatcher,
    org: Org,
    clock: Clock,
    notifier: Notifier,
) -> Reply:
    """Open a ticket for a help request, or add the message to its thread's ticket."""
    text = check_text(cmd.text)
    now = clock.now()
    if cmd.thread_key:
        existing = await tickets.find_by_thread(cmd.thread_key)
        if existing is not None and _logged_before(existing, cmd.message_ref):
            return await _replayed(existing, cmd.message_ref, library=library, notifier=notifier)
        if existing is not None:
            await _join_thread(existing, cmd, text, tickets=tickets, org=org, now=now)
            return Reply(ticket=existing, suggestions=Suggestions(), is_new=False)
    surface = org.surface_for(cmd.platform, cmd.channel, cmd.surface)
    ticket = Ticket(
        id=new_ticket_id(),
        surface=surface,
        created_at=now,
        platform=cmd.platform,
        requester=cmd.requester,
        subject=(cmd.subject or text.splitlines()[0])[:200],
        priority=cmd.priority,
        thread_key=cmd.thread_key,
        chat=dict(cmd.chat),
    )
    ticket.add_message(
        Message(at=now, role=Role.REQUESTER, author=cmd.requester, text=text, ref=cmd.message_ref)
    )
    suggestions = library.suggest(text, surface=str(surface))
    match = matcher.match(text)
    cause = match[0] if match else None
    ticket.cause_key = cause.key if cause else None
    ticket.suggested_article_ids = [s.article.id for s in suggestions.items]
    reply = Reply(ticket=ticket, suggestions=suggestions, is_new=True, likely_cause=cause)
    reply.likely_owner = org.owner_of(ticket.cause_key, text)
    ticket.record_bot_reply(clock.now(), reply.text)
    ticket.status = Status.NEEDS_HUMAN if suggestions.abstained else Status.SUGGESTED
    try:
        await tickets.add(ticket)
    except DuplicateTicket:
        # A redelivery raced us to the same thread: join the ticket it created instead of failing.
        existing = await tickets.find_by_thread(cmd.thread_key) if cmd.thread_key else None
        if existing is None:
            raise
        await _join_thread(existing, cmd, text, tickets=tickets, org=org, now=now)
        return Reply(ticket=existing, suggestions=Suggestions(), is_new=False)
    if suggestions.abstained:
        await notify_triage(ticket, notifier, why="no article fits", key=f"triage:{ticket.id}:opened")
    return reply


def _logged_before(ticket: Ticket, ref: str | None) -> bool:
    """Whether this very message is already in the ticket: a redelivery or a replay after a crash."""
    return bool(ref) and any(m.ref == ref for m in ticket.messages)


async def _replayed(ticket: Ticket, ref: str | None, *, library: Library, notifier: Notifier) -> Reply:
    """A message logged before changes nothing; if it opened the ticket, its first reply is due again.

    The adapters send that reply (and the triage notice) under keys tied to the ticket, so a reply that
    already went out is not sent twice, and one lost in a crash is sent now.
    """
    if not ticket.messages or ticket.messages[0].ref != ref:
        return Reply(ticket=ticket, suggestions=Suggestions(), is_new=False, replayed=True)
    suggestions = library.suggest(ticket.messages[0].text, surface=str(ticket.surface))
    if suggestions.abstained:
        await notify_triage(ticket, notifier, why="no article fits", key=f"triage:{ticket.id}:opened")
    return Reply(ticket=ticket, suggestions=suggestions, is_new=True, replayed=True)


async def _join_thread(
    ticket: Ticket, cmd: LogRequest, text: str, *, tickets: TicketRepository, org: Org, now: datetime
) -> None:
    if cmd.requester != ticket.requester and PersonRole.AGENT in org.roles_of(cmd.requester, cmd.platform):
        agent = org.person(cmd.requester, cmd.platform)
        ticket.record_agent_reply(now, agent.key if agent else cmd.requester, text, ref=cmd.message_ref)
    else:
        role = Role.REQUESTER if cmd.requester == ticket.requester else Role.SYSTEM
        ticket.add_message(Message(at=now, role=role, author=cmd.requester, text=text, ref=cmd.message_ref))
        if ticket.status == Status.RESOLVED and role == Role.REQUESTER:
            ticket.reopen(now, "the requester wrote again in the thread")
    await tickets.save(ticket)


async def solved_by_article(
    ticket_id: str,
    article_id: str | None,
    by: str,
    *,
    tickets: TicketRepository,
    articles: ArticleRepository,
    clock: Clock,
) -> Ticket:
    """The requester says a suggested article solved it: resolve and teach the article."""
    ticket = await load_ticket(ticket_id, tickets)
    chosen = article_id or (ticket.suggested_article_ids[0] if ticket.suggested_article_ids else None)
    if chosen is None:
        raise InvalidInput(f"Ticket {ticket.id} had no suggested article; say which one solved it.")
    if chosen not in ticket.suggested_article_ids:  # a forged id would inflate reuse and teach the ranker
        raise InvalidInput(f"{chosen} was not suggested on ticket {ticket.id}; pick one of its suggestions.")
    ticket.resolve(clock.now(), Resolution.ARTICLE, article_id=chosen)
    ticket.add_message(Message(at=clock.now(), role=Role.REQUESTER, author=by, text=f"Solved by {chosen}"))
    await tickets.save(ticket)
    article = await articles.get(chosen)
    if article is not None:
        article.solved_count += 1
        await articles.save(article)
    return ticket


async def ask_for_human(
    ticket_id: str, by: str, *, tickets: TicketRepository, clock: Clock, notifier: Notifier
) -> Ticket:
    """The requester still needs help: put the ticket in the triage queue."""
    ticket = await load_ticket(ticket_id, tickets)
    if ticket.status == Status.RESOLVED:
        ticket.reopen(clock.now(), f"{by} still needs help")
    elif ticket.status == Status.NEEDS_HUMAN and ticket.asked_for_person:
        return ticket  # asked already (a double click or a replay): the queue has it once
    else:
        ticket.status = Status.NEEDS_HUMAN
        ticket.add_message(Message(at=clock.now(), role=Role.SYSTEM, author=by, text=ASKED_FOR_A_PERSON))
    await tickets.save(ticket)
    await notify_triage(ticket, notifier, why="the requester asked for a person")
    return ticket


async def notify_triage(ticket: Ticket, notifier: Notifier, *, why: str, key: str | None = None) -> None:
    """Post the ticket to the triage queue; a failed post is logged, never fatal to intake."""
    notice = Notice(
        kind="triage",
        to="triage",
        text=f"{ticket.id} needs a person ({why}): {ticket.subject}",
        ticket_id=ticket.id,
        data={"why": why},
        key=key,
    )
    try:
        await notifier.send(notice)
    except Exception:  # fan-out: the ticket is saved; the outbox/retry layer owns redelivery
        log.exception("triage notice for %s failed", ticket.id)


async def agent_reply(
    ticket_id: str,
    agent: str,
    text: str,
    *,
    tickets: TicketRepository,
    org: Org,
    clock: Clock,
    ref: str | None = None,
) -> Ticket:
    """An agent answers in the thread; the first answer is the first human reply."""
    org.require(agent, PersonRole.AGENT)
    ticket = await load_ticket(ticket_id, tickets)
    if _logged_before(ticket, ref):  # a redelivered reply
        return ticket
    person = org.person(agent)
    ticket.record_agent_reply(clock.now(), person.key if person else agent, check_text(text), ref=ref)
    await tickets.save(ticket)
    return ticket


async def assign(ticket_id: str, agent: str, *, tickets: TicketRepository, org: Org, clock: Clock) -> Ticket:
    """An agent takes the ticket from the triage queue."""
    org.require(agent, PersonRole.AGENT)
    ticket = await load_ticket(ticket_id, tickets)
    person = org.person(agent)
    ticket.assign(person.key if person else agent)
    if ticket.status in (Status.NEW, Status.SUGGESTED, Status.NEEDS_HUMAN):
        ticket.status = Status.IN_PROGRESS
    ticket.add_message(Message(at=clock.now(), role=Role.SYSTEM, author=agent, text=f"Assigned to {agent}"))
    await tickets.save(ticket)
    return ticket
