"""Keeping every process's suggestion model taught: lessons from tickets other processes resolved.

A "Solved it" click teaches the process that handled it at once. With several processes (replicas of
`serve`, or `fixloop worker`s, which suggest articles while `serve` takes the clicks) the others learn
it here, by looking at tickets resolved since their last look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.kb import Library, lesson
from core.ports import TicketRepository
from core.tickets import Ticket

# Looks reach this far behind the last one: a ticket resolved in a transaction that committed late, or
# stamped by a process whose clock runs a little behind, is still found.
OVERLAP = timedelta(minutes=5)


@dataclass
class LearningSync:
    """Which resolved tickets this process has learnt from, so a lesson is never learnt twice."""

    overlap: timedelta = OVERLAP
    since: datetime | None = None  # the time of the last look
    seen: dict[str, datetime] = field(default_factory=dict)  # ticket id -> resolved_at, within the overlap

    def reset(self, now: datetime, tickets: list[Ticket]) -> None:
        """After a full reload: everything resolved so far is learnt."""
        self.since, self.seen = now, {}
        for ticket in tickets:
            self.mark(ticket)

    def mark(self, ticket: Ticket) -> None:
        """Record that this process learnt (or had no lesson) from a resolved ticket."""
        if ticket.resolved_at is None or self.since is None:
            return
        if ticket.resolved_at >= self.since - self.overlap:  # older ones are never looked at again
            self.seen[ticket.id] = ticket.resolved_at

    async def catch_up(self, now: datetime, *, tickets: TicketRepository, library: Library) -> int:
        """Teach the library what tickets resolved since the last look show; how many lessons it learnt."""
        if self.since is None:  # never loaded: the next full reload takes everything
            return 0
        learnt = 0
        for ticket in await tickets.list(resolved_since=self.since - self.overlap):
            if ticket.id in self.seen:
                continue
            found = lesson(ticket)
            if found is not None:
                library.learn(*found)
                learnt += 1
            self.seen[ticket.id] = ticket.resolved_at or now
        self.since = now
        horizon = now - 2 * self.overlap  # older ids can no longer come back in a look
        self.seen = {tid: at for tid, at in self.seen.items() if at >= horizon}
        return learnt
