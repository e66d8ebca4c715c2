"""Applying a batch re-clustering: save proposed causes and re-point tickets, named causes untouched."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.cause_engine import Reclustering
from core.org import Org
from core.ports import CauseRepository, Clock, TicketRepository


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
