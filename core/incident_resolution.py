"""Incident resolution: an agent resolves it, or its fix ships; every linked requester is told once."""

from __future__ import annotations

from datetime import datetime

from core.audit import AuditAction, AuditEntry
from core.causes import Cause
from core.errors import InvalidInput
from core.gists import Gist
from core.incident_flow import post
from core.incidents import Incident, IncidentUnitOfWork
from core.org import Org, PersonRole
from core.ports import Clock, Notice


async def resolve_incident(
    incident_id: str, user: str, platform: str, *, uow: IncidentUnitOfWork, org: Org, clock: Clock
) -> Incident:
    """An agent (on the platform the click came from) resolves the incident: every linked requester is
    told once and asked to confirm."""
    by = org.acting(user, PersonRole.AGENT, platform=platform)
    async with uow:
        incident = await load_incident(incident_id, uow)
        if not incident.is_open:
            return incident  # resolved already (a double click, a replay): nobody is told twice
        now = clock.now()
        incident.resolve(now, by)
        await tell_resolved(incident, uow, now)
        await uow.incidents.save(incident)
        await uow.audit.record(
            AuditEntry(
                now, by, AuditAction.INCIDENT_RESOLVED, cause_key=incident.cause_key, detail=incident.id
            )
        )
        post(uow, incident)
        await uow.commit()
    return incident


async def load_incident(incident_id: str, uow: IncidentUnitOfWork) -> Incident:
    """Fetch an incident by id or refuse with a clear message."""
    incident = await uow.incidents.get(incident_id.strip().upper()[:20])
    if incident is None:
        raise InvalidInput(f"There is no incident {incident_id[:20]!r}.")
    return incident


async def tell_resolved(incident: Incident, uow: IncidentUnitOfWork, now: datetime) -> int:
    """Ask each linked requester not told yet whether it works now (That solved it / Still happening)."""
    told = 0
    for link in incident.links:
        ticket = await uow.tickets.get(link.ticket_id)
        if link.told_at is not None or ticket is None or not ticket.is_open:
            continue
        link.told_at = ticket.fix_notified_at = now  # the fix news of its cause will not tell them again
        await uow.tickets.save(ticket)
        text = (
            f"Good news: the problem you reported ({ticket.id}) is resolved ({incident.title}). "
            "Does it work for you now?"
        )
        uow.notify(
            Notice(
                kind="fix_shipped",
                to=f"thread:{ticket.id}",
                ticket_id=ticket.id,
                text=text,
                data={"title": incident.title, "incident_id": incident.id},
                key=f"incident-resolved:{ticket.id}",
            )
        )
        told += 1
    return told


async def close_for_fix(cause: Cause, uow: IncidentUnitOfWork, now: datetime) -> None:
    """The cause's fix shipped (core/fix_news.py): its open incident is resolved, its people told once."""
    for incident in await uow.incidents.of_cause(cause.key):
        for link in incident.links:  # told when the incident was resolved: the fix news skips them
            ticket = await uow.tickets.get(link.ticket_id) if link.told_at else None
            if ticket is not None and ticket.is_open:
                ticket.fix_notified_at = now
                await uow.tickets.save(ticket)
        if incident.is_open:
            incident.resolve(now, "fix shipped")
            for link in incident.links:  # the fix news (announce_fix) tells them, with the same buttons
                link.told_at = link.told_at or now
            await uow.incidents.save(incident)
            post(uow, incident)


async def incident_view(incident_id: str, *, uow: IncidentUnitOfWork) -> tuple[Incident, list[Gist]]:
    """An incident and its tickets' gists, for drawing its post (redrawn with every report)."""
    async with uow:
        incident = await load_incident(incident_id, uow)
        tickets = await uow.incidents.among([link.ticket_id for link in incident.links])
    return incident, tickets
