"""Incident use cases: open one when matching tickets spike, link more, resolve it and tell everyone once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from core.audit import AuditAction, AuditEntry
from core.causes import Cause
from core.errors import Conflict
from core.gists import Gist, Reported, WordWeights
from core.incidents import (
    Incident,
    IncidentRules,
    IncidentUnitOfWork,
    close_to,
    fires,
    matching,
    new_incident_id,
    words,
)
from core.ports import Notice
from core.tickets import Ticket

RECENT = 500  # open tickets of the window looked at per new ticket: the window rarely holds more
LINKS_COMPARED = 20  # an open incident's newest reports a report without a cause is compared with


async def on_new_ticket(
    ticket: Ticket, *, uow: IncidentUnitOfWork, rules: IncidentRules, now: datetime, weights: WordWeights
) -> Incident | None:
    """In the intake's unit of work, before the new ticket is added: join or open its incident, if any.

    `weights`: the newest tickets' word weights (IncidentRules.word_weights). Reads are bounded: the
    open tickets of the window (at most RECENT) and those of the open incidents' newest reports.
    """
    incident = await _open_incident_of(ticket, uow, rules, weights)
    if incident is not None:
        ticket.cause_key = ticket.cause_key or incident.cause_key
        incident.link(ticket, now)
        await uow.incidents.save(incident)
        _tell_known(uow, incident, [ticket])
        post(uow, incident)
        return incident
    recent = await uow.incidents.open_since(now - rules.policy.window, limit=RECENT)
    taken = await uow.incidents.linked([t.id for t in recent])
    pool = [t for t in recent if t.id not in taken]
    group = [*matching(ticket, pool, rules, weights=weights), Gist.of(ticket)]
    if not fires(group, rules.policy):
        return None
    return await _open(ticket, group, uow, now)


async def _open_incident_of(
    ticket: Ticket, uow: IncidentUnitOfWork, rules: IncidentRules, weights: WordWeights
) -> Incident | None:
    """The open incident of the ticket's cause, or (no cause known) the open one closest in meaning.

    Meaning is judged against each open incident's newest reports that are still open, in one
    similarity index for all incidents: one per incident made every report cost as much again as the
    incidents already open.
    """
    if ticket.cause_key:
        return await uow.incidents.open_for_cause(ticket.cause_key)
    heads = await uow.incidents.open_heads(LINKS_COMPARED)
    owner = {ticket_id: incident_id for incident_id, ids in heads for ticket_id in ids}
    by_id = {t.id: t for t in await uow.incidents.open_among(list(owner))} if owner else {}
    pool = [by_id[ticket_id] for ticket_id in owner if ticket_id in by_id]
    close = close_to(words(ticket), pool, weights.similar, rules.policy.similarity)
    votes = Counter(owner[t.id] for t in close)
    best = max((incident_id for incident_id, _ in heads), key=votes.__getitem__, default=None)
    return await uow.incidents.get(best) if best is not None and votes[best] else None


async def _open(ticket: Ticket, group: list[Gist], uow: IncidentUnitOfWork, now: datetime) -> Incident:
    """A new incident for the group (the new ticket last); a cause with no name yet is created now.

    Not at the weekly re-cluster. The group's stored tickets move to the cause only if their cause is
    still the one read (else Conflict: the unit of work is retried from a fresh read).
    """
    cause = await uow.causes.get(ticket.cause_key) if ticket.cause_key else None
    if cause is None:
        # Named after the group's first ticket, so two workers opening it at once name the same cause.
        seed = min(group, key=lambda t: (t.created_at, t.id))
        cause = Cause(
            key=f"incident-{seed.id.lower()}", title=seed.subject[:120] or "Incident", created_at=now
        )
        await uow.causes.save(cause)
    incident = Incident(new_incident_id(), cause.key, cause.title, now, owner=cause.owner)
    for t in group:
        incident.link(t, now)
    ticket.cause_key = cause.key  # the new ticket is added by the intake after this
    moves = [(t.id, t.cause_key, cause.key) for t in group if t.id != ticket.id and t.cause_key != cause.key]
    if moves and await uow.tickets.repoint(moves) != len(moves):
        raise Conflict("a ticket of the new incident changed its cause meanwhile")
    await uow.incidents.add(incident)  # a second worker opening it at once fails here and retries
    await uow.audit.record(
        AuditEntry(
            now,
            "fixloop",
            AuditAction.INCIDENT_OPENED,
            ticket_id=ticket.id,
            cause_key=cause.key,
            detail=f"{incident.id}: {len(group)} tickets",
        )
    )
    _tell_known(uow, incident, group)
    post(uow, incident)
    return incident


def _tell_known(uow: IncidentUnitOfWork, incident: Incident, tickets: Sequence[Reported]) -> None:
    for t in tickets:
        text = (
            f"This is a known problem that the team is already working on ({incident.title}); "
            f"your report {t.id} is linked to it. We will tell you here as soon as it is resolved."
        )
        uow.notify(
            Notice(
                kind="incident_known",
                to=f"thread:{t.id}",
                text=text,
                ticket_id=t.id,
                data={"incident_id": incident.id},
                key=f"incident-known:{t.id}",
            )
        )


def post(uow: IncidentUnitOfWork, incident: Incident) -> None:
    """The incident's post, drawn from its current state when delivered: posted once, then updated."""
    state = f"{len(incident.links)}:{incident.status}"
    text = (
        f"Incident {incident.id}: {incident.title}: {len(incident.links)} reports "
        f"from {len(incident.requesters)} people ({incident.status})"
    )
    for to in ["triage", *([f"team:{incident.owner}"] if incident.owner else [])]:
        uow.notify(
            Notice(
                kind="incident",
                to=to,
                text=text,
                data={"incident_id": incident.id, "redraw": f"incident:{incident.id}:{to}"},
                key=f"incident-post:{incident.id}:{to}:{state}",
            )
        )
