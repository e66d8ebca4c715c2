"""Logging a request: a new ticket with the articles and likely cause it is answered with, or the message
added to its thread's ticket (a redelivery changes nothing)."""

from __future__ import annotations

from datetime import datetime

from core import sla, spikes
from core.attachments import files_of, only_files, request_text
from core.cause_matching import CauseMatcher
from core.errors import Conflict, DuplicateTicket, TicketNotFound
from core.incidents import IncidentRules
from core.kb import Library, Suggestions
from core.limits import MAX_ID, check_size
from core.messages import LogRequest, Reply, check_text
from core.org import Org, PersonRole
from core.ports import Clock, Notice, TicketRepository, UnitOfWork
from core.tickets import Message, Role, Status, Ticket, new_ticket_id


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
    uow: UnitOfWork,
    library: Library,
    matcher: CauseMatcher,
    org: Org,
    clock: Clock,
    incident_rules: IncidentRules | None = None,
) -> Reply:
    """Open a ticket for a help request, or add the message to its thread's ticket."""
    text = check_text(cmd.text) if cmd.text.strip() or not cmd.attachments else request_text(cmd.attachments)
    now = clock.now()
    async with uow:
        existing = await uow.tickets.find_by_thread(cmd.thread_key) if cmd.thread_key else None
        if existing is not None and _logged_before(existing, cmd.message_ref):
            reply = _replayed(existing, cmd.message_ref, library=library, uow=uow)
        elif existing is not None:
            await _join_thread(existing, cmd, text, tickets=uow.tickets, org=org, now=now)
            reply = Reply(ticket=existing, suggestions=Suggestions(), is_new=False)
        else:
            reply = _open(cmd, text, library=library, matcher=matcher, org=org, clock=clock)
            joined, incident = await spikes.check(cmd, reply, uow=uow, rules=incident_rules, now=now)
            if joined is not None:  # close to the requester's open ticket: added there
                await uow.commit()
                return joined
            try:
                await uow.tickets.add(reply.ticket)
            except DuplicateTicket as exc:  # another process opened this thread's ticket: join it
                raise Conflict(f"thread {cmd.thread_key} was opened meanwhile") from exc
            if reply.suggestions.abstained and incident is None:  # an incident's post covers it
                opened = f"triage:{reply.ticket.id}:opened"
                uow.notify(triage_notice(reply.ticket, "no article fits", key=opened))
        await uow.commit()
    return reply


def _open(
    cmd: LogRequest, text: str, *, library: Library, matcher: CauseMatcher, org: Org, clock: Clock
) -> Reply:
    """A new ticket for a request, with the articles and the likely cause it is answered with."""
    now = clock.now()
    surface = org.surface_for(cmd.platform, cmd.channel, cmd.surface)
    ticket = Ticket(
        id=new_ticket_id(),
        surface=surface,
        created_at=now,
        platform=cmd.platform,
        requester=cmd.requester,
        subject=(cmd.subject or text.splitlines()[0])[:200],
        priority=sla.infer_priority(
            org, text, cmd.priority, platform=cmd.platform, requester=cmd.requester, channel=cmd.channel
        ),
        thread_key=cmd.thread_key,
        chat=dict(cmd.chat),
        attachments=files_of(cmd.attachments, cmd.message_ref),
    )
    ticket.add_message(
        Message(at=now, role=Role.REQUESTER, author=cmd.requester, text=text, ref=cmd.message_ref)
    )
    # A file with no words says nothing an article could answer (a file name is no description): a person.
    words = bool(cmd.text.strip()) or not cmd.attachments
    suggestions = library.suggest(text, surface=str(surface)) if words else Suggestions()
    match = matcher.match(text) if words else None
    cause = match[0] if match else None
    ticket.cause_key = cause.key if cause else None
    ticket.suggested_article_ids = [s.article.id for s in suggestions.items]
    reply = Reply(ticket=ticket, suggestions=suggestions, is_new=True, likely_cause=cause)
    reply.likely_owner = org.owner_of(ticket.cause_key, text)
    ticket.record_bot_reply(clock.now(), reply.text)
    ticket.status = Status.NEEDS_HUMAN if suggestions.abstained else Status.SUGGESTED
    if suggestions.abstained:  # it waits on a person from the start
        sla.start_clocks(ticket, now, org)
    return reply


def _logged_before(ticket: Ticket, ref: str | None) -> bool:
    """Whether this very message is already in the ticket: a redelivery or a replay after a crash."""
    return bool(ref) and any(m.ref == ref for m in ticket.messages)


def _replayed(ticket: Ticket, ref: str | None, *, library: Library, uow: UnitOfWork) -> Reply:
    """A message logged before changes nothing; if it opened the ticket, its first reply is due again.

    The adapters send that reply (and the triage notice) under keys tied to the ticket, so a reply that
    already went out is not sent twice, and one lost in a crash is sent now.
    """
    if not ticket.messages or ticket.messages[0].ref != ref:
        return Reply(ticket=ticket, suggestions=Suggestions(), is_new=False, replayed=True)
    first = ticket.messages[0]
    files_alone = only_files(first.text, ticket.attachments, first.ref)  # answered as _open did: a person
    suggestions = Suggestions() if files_alone else library.suggest(first.text, surface=str(ticket.surface))
    if suggestions.abstained:
        uow.notify(triage_notice(ticket, "no article fits", key=f"triage:{ticket.id}:opened"))
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
        ticket.attachments += files_of(cmd.attachments, cmd.message_ref)
        if ticket.status == Status.RESOLVED and role == Role.REQUESTER:
            ticket.reopen(now, "the requester wrote again in the thread")
    await tickets.save(ticket)


def triage_notice(ticket: Ticket, why: str, *, key: str | None = None) -> Notice:
    """The notice that puts a ticket in front of the triage queue."""
    return Notice(
        kind="triage",
        to="triage",
        text=f"{ticket.id} needs a person ({why}): {ticket.subject}",
        ticket_id=ticket.id,
        data={"why": why},
        key=key,
    )
