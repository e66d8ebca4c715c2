"""Use cases of the owning team: record the root cause, link the fix, mark it shipped."""

from __future__ import annotations

import re
from datetime import datetime

from core.audit import AuditAction, AuditEntry, short
from core.cause_matching import CauseMatcher
from core.causes import Cause
from core.errors import CauseNotFound, InvalidInput
from core.fix_news import announce_fix
from core.intake import load_ticket
from core.limits import MAX_FIELD, MAX_ID, MAX_TITLE, MAX_URL, check_size
from core.links import is_plain_link
from core.org import STAFF, Org
from core.ports import CauseRepository, Clock, TicketRepository, UnitOfWork
from core.trackers import parse_issue_url


def slug(text: str) -> str:
    """A stable cause key from a title."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:6]) or "cause"


async def cause_for(ref: str, *, causes: CauseRepository, tickets: TicketRepository) -> Cause:
    """Find a cause by key, or by a ticket id whose likely cause it is."""
    check_size(ref, MAX_ID, "cause or ticket id")
    cause = await causes.get(ref)
    if cause is not None:
        return cause
    ticket = await tickets.get(ref.upper())
    if ticket is not None and ticket.cause_key:
        found = await causes.get(ticket.cause_key)
        if found is not None:
            return found
    raise CauseNotFound(ref)


async def record_root_cause(
    ticket_id: str,
    text: str,
    by: str,
    title: str | None = None,
    platform: str | None = None,
    *,
    uow: UnitOfWork,
    matcher: CauseMatcher,
    org: Org,
    clock: Clock,
) -> Cause:
    """Record what the owner found; a ticket without a cause gets a new, named one."""
    who = org.acting(by, *STAFF, platform=platform)
    if not text.strip():
        raise InvalidInput("Say what the root cause is, in a sentence.")
    check_size(text.strip(), MAX_FIELD, "root cause")
    check_size((title or "").strip(), MAX_TITLE, "cause's short name")
    async with uow:
        ticket = await load_ticket(ticket_id, uow.tickets)
        now = clock.now()
        cause = await uow.causes.get(ticket.cause_key) if ticket.cause_key else None
        if cause is None:
            name = (title or text).strip().splitlines()[0][:120]
            key = await _free_key(slug(name), uow.causes)
            cause = Cause(key=key, title=name, created_at=now, owner=ticket.escalated_to)
            ticket.cause_key = cause.key
            await uow.tickets.save(ticket)
        elif title:
            cause.title = title.strip()[:120]
        cause.record_root_cause(now, text.strip())
        await uow.causes.save(cause)
        await uow.audit.record(_entry(who, AuditAction.ROOT_CAUSE_RECORDED, cause, now, text, ticket.id))
        await uow.commit()
    matcher.causes[cause.key] = cause
    return cause


def _entry(
    who: str, action: AuditAction, cause: Cause, at: datetime, detail: str, ticket_id: str | None = None
) -> AuditEntry:
    return AuditEntry(at, who, action, ticket_id=ticket_id, cause_key=cause.key, detail=short(detail))


async def _free_key(base: str, causes: CauseRepository) -> str:
    key, n = base, 2
    while await causes.get(key) is not None:
        key, n = f"{base}-{n}", n + 1
    return key


async def link_fix(
    ref: str, url: str, by: str, platform: str | None = None, *, uow: UnitOfWork, org: Org, clock: Clock
) -> Cause:
    """Link the Jira, GitHub or Linear change that fixes a cause."""
    who = org.acting(by, *STAFF, platform=platform)
    check_size(url.strip(), MAX_URL, "link")
    if not is_plain_link(url.strip()):
        raise InvalidInput(
            "That is not a link Fixloop can show: paste the plain http(s) URL of the fix in Jira, GitHub "
            "or Linear (no spaces, quotes, brackets, | < or >)."
        )
    async with uow:
        cause = await cause_for(ref, causes=uow.causes, tickets=uow.tickets)
        cause.link_fix(url.strip())
        issue = parse_issue_url(url)  # a Jira, GitHub or Linear issue: its state is read from then on
        cause.fix_tracker, cause.fix_issue = (issue.tracker, issue.issue) if issue else (None, None)
        cause.fix_changed_at = None
        await uow.causes.save(cause)
        entry = _entry(who, AuditAction.FIX_LINKED, cause, clock.now(), url.strip(), _ticket_ref(ref))
        await uow.audit.record(entry)
        await uow.commit()
    return cause


def _ticket_ref(ref: str) -> str | None:
    """The ticket id when an action named the cause by one of its tickets."""
    return ref.upper() if ref.upper().startswith("FX-") else None


async def ship_fix(
    ref: str,
    by: str,
    at: datetime | None = None,
    platform: str | None = None,
    *,
    uow: UnitOfWork,
    org: Org,
    clock: Clock,
) -> Cause:
    """Mark a cause's fix shipped and tell the people waiting for it; from now on its tickets should fade."""
    who = org.acting(by, *STAFF, platform=platform)
    async with uow:
        cause = await cause_for(ref, causes=uow.causes, tickets=uow.tickets)
        cause.ship_fix(at or clock.now())
        await uow.causes.save(cause)
        await announce_fix(cause, uow, clock.now())  # the requesters, owner and triage are told
        shipped = f"shipped {cause.fix_url}" if cause.fix_url else "shipped"
        entry = _entry(who, AuditAction.FIX_SHIPPED, cause, clock.now(), shipped, _ticket_ref(ref))
        await uow.audit.record(entry)
        await uow.commit()
    return cause
