"""Applying a batch re-clustering: save proposed causes and re-point tickets, named causes untouched."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.cause_engine import Reclustering
from core.org import Org
from core.ports import CauseRepository, Clock, Notice, TicketRepository


@dataclass(frozen=True)
class Applied:
    new_causes: int
    kept_causes: int
    tickets_moved: int


async def apply_reclustering(
    result: Reclustering, *, tickets: TicketRepository, causes: CauseRepository, org: Org, clock: Clock
) -> Applied:
    """Save every proposed cause and each ticket's new cause; a new cause gets the owner of its topic."""
    now, new = clock.now(), 0
    for proposal in result.causes:
        cause = proposal.cause
        if await causes.get(cause.key) is None:
            team = org.owner_of(None, " ".join((cause.title, *cause.key_phrases)))
            owner = cause.owner or (team.key if team else None)
            cause = replace(cause, created_at=cause.created_at or now, owner=owner)
            new += 1
        await causes.save(cause)
    moved = []
    for ticket in await tickets.list_all():
        key = result.assignments.get(ticket.id)
        if key is not None and ticket.cause_key != key:
            ticket.cause_key = key  # tickets held as candidates keep what they had
            moved.append(ticket)
    await tickets.save_many(moved)
    return Applied(new_causes=new, kept_causes=len(result.causes) - new, tickets_moved=len(moved))


def reclustering_notice(result: Reclustering, applied: Applied, *, shown: int = 5) -> Notice:
    """What the weekly re-clustering changed, for the leaders: new and split causes with their evidence."""
    fresh = [p for p in result.causes if p.action in ("new", "split")]
    fresh.sort(key=lambda p: len(p.ticket_ids), reverse=True)
    lines = [
        f"Weekly re-clustering: {applied.new_causes} new cause(s), {applied.kept_causes} kept, "
        f"{applied.tickets_moved} ticket(s) re-pointed; {len(result.candidates)} held as candidates."
    ]
    for p in fresh[:shown]:
        merged = f"; merges {', '.join(p.absorbed)}" if p.absorbed else ""
        phrases = ", ".join(p.cause.key_phrases[:4])
        lines.append(
            f"- {p.action}: {p.cause.title} [{p.cause.key}]: {len(p.ticket_ids)} tickets, "
            f"{'+'.join(p.surfaces)}{merged}. Key phrases: {phrases}. Evidence: {', '.join(p.evidence[:3])}"
        )
    if len(fresh) > shown:
        lines.append(f"... and {len(fresh) - shown} more: `fixloop causes` lists them all.")
    if not fresh:
        lines.append("No new causes this week: every cluster matches a known cause.")
    lines.append("Name, merge or link a fix to a cause to keep it as it is in later re-clusterings.")
    data = {"new": applied.new_causes, "kept": applied.kept_causes, "moved": applied.tickets_moved}
    return Notice(kind="causes", to="leaders", text="\n".join(lines), data=data)
