"""Applying a batch re-clustering: save proposed causes and re-point tickets, named causes untouched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.cause_engine import ClusterDoc, Clusterer, Reclustering, propose_causes
from core.cause_matching import CauseMatcher
from core.causes import Cause
from core.org import Org
from core.ports import CauseRepository, Clock, Notice, Offload, TicketRepository, UnitOfWork, offloaded
from core.retries import retry_conflicts

BATCH = 5000  # tickets per page read, and per transaction re-pointing them


@dataclass(frozen=True)
class Applied:
    new_causes: int
    kept_causes: int
    tickets_moved: int


async def read_docs(tickets: TicketRepository, batch: int = BATCH) -> list[ClusterDoc]:
    """Every ticket's clustering text (no messages), a page at a time, oldest first."""
    docs: list[ClusterDoc] = []
    page = await tickets.cluster_docs(limit=batch)
    while page:  # each page is its own short query: the event loop serves requests in between
        docs.extend(page)
        if len(page) < batch:
            break
        page = await tickets.cluster_docs(after=(page[-1].created_at, page[-1].id), limit=batch)
    return docs


async def propose(
    run: Offload[Reclustering] | None = None,
    *,
    tickets: TicketRepository,
    causes: CauseRepository,
    clusterer: Clusterer | None,
) -> Reclustering:
    """Re-cluster every ticket and propose causes; causes a person named keep their identity."""
    # `run` may hand the clustering (minutes at 100k tickets) to a worker thread: the loop keeps answering.
    if clusterer is None:
        raise RuntimeError("no clustering back end is wired")
    every, known = await read_docs(tickets), await causes.list()
    return await offloaded(run, lambda: propose_causes(every, known, clusterer=clusterer))


async def apply_reclustering(
    result: Reclustering, *, uow: UnitOfWork, matcher: CauseMatcher, org: Org, clock: Clock,
    batch: int = BATCH,
) -> Applied:
    """Save every proposed cause, then re-point tickets a batch per transaction; reload the cause index."""
    # The proposal came from an earlier read: what a person did since (a root cause, a fix, a ticket
    # re-pointed) wins, so named causes and their tickets are left as they are now.
    new = await retry_conflicts(lambda: _save_causes(result, uow, org, clock.now()))
    moved, after = 0, None
    while True:
        async with uow:  # causes read again per batch: one a person named meanwhile keeps its tickets
            known = {c.key: c for c in await uow.causes.list()}
            page = await uow.tickets.cluster_docs(after=after, limit=batch)
            moved += await uow.tickets.repoint(_moves(page, result.assignments, known))
            await uow.commit()
        if len(page) < batch:
            break
        after = (page[-1].created_at, page[-1].id)
    async with uow:
        every = await uow.causes.list()
        texts = await uow.tickets.cause_texts([c.key for c in every], matcher.per_cause, matcher.limit)
    matcher.load_texts(every, texts)
    return Applied(new_causes=new, kept_causes=len(result.causes) - new, tickets_moved=moved)


async def _save_causes(result: Reclustering, uow: UnitOfWork, org: Org, now: datetime) -> int:
    """Save new causes and the names of automatic ones; Conflict if a person changed one meanwhile."""
    new = 0
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
        await uow.commit()
    return new


def _moves(
    tickets: Sequence[ClusterDoc], assignments: dict[str, str], known: dict[str, Cause]
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
