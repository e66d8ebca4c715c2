"""Applying a batch re-clustering: save proposed causes and re-point tickets, named causes untouched."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from core.cause_engine import Clusterer, Reclustering, propose_causes
from core.cause_matching import CauseMatcher
from core.causes import Cause
from core.org import Org
from core.ports import CauseRepository, Clock, Notice, TicketRepository, UnitOfWork
from core.tickets import Ticket

Offload = Callable[[Callable[[], Reclustering]], Awaitable[Reclustering]]


@dataclass(frozen=True)
class Applied:
    new_causes: int
    kept_causes: int
    tickets_moved: int


async def propose(
    run: Offload | None = None,
    *,
    tickets: TicketRepository,
    causes: CauseRepository,
    clusterer: Clusterer | None,
) -> Reclustering:
    """Re-cluster every ticket and propose causes; causes a person named keep their identity."""
    # `run` may hand the clustering (minutes at 100k tickets) to a worker thread: the loop keeps answering.
    if clusterer is None:
        raise RuntimeError("no clustering back end is wired")
    every, known = await tickets.list_all(), await causes.list()
    if run is None:
        return propose_causes(every, known, clusterer=clusterer)
    return await run(lambda: propose_causes(every, known, clusterer=clusterer))


async def apply_reclustering(
    result: Reclustering, *, uow: UnitOfWork, matcher: CauseMatcher, org: Org, clock: Clock
) -> Applied:
    """Save every proposed cause and each ticket's new cause, then reload the cause index."""
    # The proposal came from an earlier read: what a person did since (a root cause, a fix, a ticket
    # re-pointed) wins, so named causes and their tickets are left as they are now.
    now, new = clock.now(), 0
    async with uow:
        for proposal in result.causes:
            stored = await uow.causes.get(proposal.cause.key)
            if stored is None:
                team = org.owner_of(None, " ".join((proposal.cause.title, *proposal.cause.key_phrases)))
                owner = proposal.cause.owner or (team.key if team else None)
                await uow.causes.save(replace(proposal.cause, created_at=proposal.cause.created_at or now,
                                              owner=owner, version=0))
                new += 1
            elif not stored.named_by_person:  # only what re-clustering owns: the name and key phrases
                await uow.causes.save(replace(stored, title=proposal.cause.title,
                                              key_phrases=proposal.cause.key_phrases))
        known = {c.key: c for c in await uow.causes.list()}
        every = await uow.tickets.list_all()
        moves = _moves(every, result.assignments, known)
        moved = await uow.tickets.repoint(moves)
        await uow.commit()
    targets = {tid: key for tid, _, key in moves}
    for ticket in every:
        ticket.cause_key = targets.get(ticket.id, ticket.cause_key)
    matcher.load(known.values(), every)
    return Applied(new_causes=new, kept_causes=len(result.causes) - new, tickets_moved=moved)


def _moves(
    tickets: list[Ticket], assignments: dict[str, str], known: dict[str, Cause]
) -> list[tuple[str, str | None, str]]:
    """(ticket, its cause now, its new cause) for tickets whose cause changes and no person chose."""
    moves = []
    for ticket in tickets:
        key = assignments.get(ticket.id)
        current = known.get(ticket.cause_key or "")
        if key is not None and ticket.cause_key != key and not (current and current.named_by_person):
            moves.append((ticket.id, ticket.cause_key, key))  # tickets held as candidates keep theirs
    return moves


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
