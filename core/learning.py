"""Keeping every process's models taught: lessons from tickets other processes resolved or escalated.

A "Solved it" click teaches the process that handled it at once. With several processes (replicas of
`serve`, or `fixloop worker`s, which suggest articles while `serve` takes the clicks) the others learn
it here, by looking at tickets resolved since their last look. Team routing learns the same way from
escalations made or judged since then, in this process or another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.cause_matching import CauseMatcher
from core.kb import Library, declined_history, lesson, solved_history
from core.org import Org
from core.ports import ArticleRepository, CauseRepository, Clock, TicketRepository
from core.team_routing import TeamRouter
from core.tickets import Ticket

# Looks reach this far behind the last one: a ticket resolved in a transaction that committed late, or
# stamped by a process whose clock runs a little behind, is still found.
OVERLAP = timedelta(minutes=5)
EVER = datetime(1970, 1, 1, tzinfo=UTC)
RELOAD_TICKETS = 20_000  # a reload without stored models learns from the newest tickets only (bounded)


def escalation_state(ticket: Ticket) -> tuple[str | None, str | None, datetime | None]:
    """What routing learns from a ticket: where it went, how it was judged, and when."""
    judgement = ticket.escalation_judgement.value if ticket.escalation_judgement else None
    return ticket.escalated_to, judgement, ticket.escalation_judged_at or ticket.escalated_at


@dataclass
class LearningSync:
    """Which tickets this process has learnt from, so a lesson is never learnt twice."""

    overlap: timedelta = OVERLAP
    since: datetime | None = None  # the time of the last look
    seen: dict[str, datetime] = field(default_factory=dict)  # ticket id -> resolved_at, within the overlap
    routed: dict[str, tuple[str | None, str | None, datetime | None]] = field(default_factory=dict)

    def reset(self, now: datetime, resolved: list[Ticket], escalated: list[Ticket]) -> None:
        """After a full reload: everything resolved or escalated so far is learnt.

        Only tickets resolved (or escalated or judged) within the overlap before `now` are remembered.
        """
        self.since, self.seen, self.routed = now, {}, {}
        for ticket in resolved:
            self.mark(ticket)
        for ticket in escalated:
            state = escalation_state(ticket)
            if state[2] is not None and state[2] >= now - self.overlap:
                self.routed[ticket.id] = state

    def learn(self, ticket: Ticket, library: Library) -> None:
        """Teach the library what a ticket just resolved here shows (its first resolution only)."""
        found = lesson(ticket) if ticket.closed_at is None else None
        if found is not None:
            library.learn(*found)
        self.mark(ticket)

    def mark(self, ticket: Ticket) -> None:
        """Record that this process learnt (or had no lesson) from a resolved ticket."""
        if ticket.resolved_at is None or self.since is None:
            return
        if ticket.resolved_at >= self.since - self.overlap:  # older ones are never looked at again
            self.seen[ticket.id] = ticket.resolved_at

    async def catch_up(self, now: datetime, *, tickets: TicketRepository, library: Library,
                       router: TeamRouter | None = None, org: Org | None = None) -> int:
        """Teach the library (and refit the router) with what changed since the last look.

        Returns how many new lessons the library learnt.
        """
        if self.since is None:  # never loaded: the next full reload takes everything
            return 0
        look_from = self.since - self.overlap
        learnt = await self._articles(look_from, now, tickets, library)
        if router is not None and org is not None and await self._escalations_changed(look_from, tickets):
            # A routing model is one fit over every escalation (few next to all tickets): refit it whole.
            router.learn(await tickets.list(escalated_since=EVER), org)
        self.since = now
        horizon = now - 2 * self.overlap  # older ids can no longer come back in a look
        self.seen = {tid: at for tid, at in self.seen.items() if at >= horizon}
        # A ticket back in a look has a newer time, so its state differs from any entry dropped here.
        self.routed = {tid: st for tid, st in self.routed.items() if st[2] is not None and st[2] >= horizon}
        return learnt

    async def _articles(self, look_from: datetime, now: datetime, tickets: TicketRepository,
                        library: Library) -> int:
        learnt = 0
        for ticket in await tickets.list(resolved_since=look_from):
            if ticket.id in self.seen:
                continue
            found = lesson(ticket)
            if found is not None:
                library.learn(*found)
                learnt += 1
            self.seen[ticket.id] = ticket.resolved_at or now
        return learnt

    async def _escalations_changed(self, look_from: datetime, tickets: TicketRepository) -> bool:
        changed = False
        for ticket in await tickets.list(escalated_since=look_from):
            state = escalation_state(ticket)
            if self.routed.get(ticket.id) != state:
                self.routed[ticket.id], changed = state, True
        return changed


async def refresh(
    *,
    tickets: TicketRepository,
    articles: ArticleRepository,
    causes: CauseRepository,
    library: Library,
    learning: LearningSync,
    matcher: CauseMatcher,
    router: TeamRouter | None,
    org: Org,
    clock: Clock,
) -> None:
    """Reload the knowledge, cause and routing models in this process, from bounded reads.

    Processes wired to the database load stored models instead (adapters/model_keeper.py); this reload
    serves a desk without them. It reads the newest RELOAD_TICKETS tickets, never the whole ledger.
    """
    now = clock.now()
    recent = (await tickets.list(newest_first=True, limit=RELOAD_TICKETS))[::-1]
    library.load(await articles.list(), solved_history(recent) + declined_history(recent))
    learning.reset(now, await tickets.list(resolved_since=now - learning.overlap),
                   await tickets.list(escalated_since=now - learning.overlap))
    known = await causes.list()
    matcher.load_texts(known, await tickets.cause_texts([c.key for c in known], matcher.per_cause,
                                                         matcher.limit))
    if router is not None:
        escalated = await tickets.list(escalated_since=EVER, newest_first=True, limit=RELOAD_TICKETS)
        router.learn(escalated[::-1], org)


async def catch_up(
    *,
    tickets: TicketRepository,
    library: Library,
    learning: LearningSync,
    router: TeamRouter | None,
    org: Org,
    clock: Clock,
) -> int:
    """Learn from tickets other processes resolved since the last look; how many lessons."""
    return await learning.catch_up(clock.now(), tickets=tickets, library=library, router=router, org=org)
