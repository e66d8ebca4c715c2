"""Scheduled use cases: each run is claimed first, sent, and recorded as posted only once it succeeded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from core.coaching import TEMPLATE, CoachingPrompt, Review
from core.digests import Digest
from core.org import Org
from core.periods import Period
from core.ports import Clock, Notice, Notifier, ReviewRepository, TicketRepository
from core.schedule import JobPolicy, Run, due_follow_ups, follow_up_run, near_sla, nudge_run
from core.tickets import Ticket


class JobClaims(Protocol):
    async def claim(
        self, job: str, period_start: datetime, owner: str, ttl: timedelta, *, now: datetime | None = None
    ) -> bool: ...

    async def mark_posted(
        self, job: str, period_start: datetime, owner: str, *, now: datetime | None = None
    ) -> bool: ...

    async def posted_at(self, job: str, period_start: datetime) -> datetime | None: ...


@runtime_checkable
class Destinations(Protocol):
    """A notifier made of several destinations (the log, Slack, Teams) that can be sent to one by one."""

    def destinations(self) -> Sequence[str]: ...

    async def send_to(self, destination: str, notice: Notice) -> None: ...


RECORD = timedelta(0)  # a destination's row is written after its post, so it needs no lease


class JobCandidates(Protocol):
    """The few tickets a job may act on, so a tick does not load the ledger (adapters/db/job_sql.py)."""

    async def coaching_tickets(self, agents: Sequence[str], period: Period) -> list[Ticket]: ...

    async def near_sla(
        self, now: datetime, sla_hours: Callable[[str], float], share: float, limit: int = ...
    ) -> list[Ticket]: ...


class LedgerCandidates:
    """JobCandidates from the whole ledger in memory: the reference the SQL selection is tested against."""

    def __init__(self, tickets: TicketRepository) -> None:
        self.tickets = tickets

    async def coaching_tickets(self, agents: Sequence[str], period: Period) -> list[Ticket]:
        """The agents' tickets resolved in the period (read from its start on, not the whole ledger)."""
        return [
            t
            for t in await self.tickets.list(resolved_since=period.start)
            if t.agent in agents and t.resolved_at is not None and period.contains(t.resolved_at)
        ]

    async def near_sla(
        self, now: datetime, sla_hours: Callable[[str], float], share: float, limit: int = 200
    ) -> list[Ticket]:
        """Open tickets near their SLA target, soonest due first."""
        near = near_sla(await self.tickets.list(open_only=True), now, sla_hours, share)
        return [t for t, _ in near][:limit]


class Claimer:
    """Runs a send at most once per Run across every replica sharing the claims table."""

    def __init__(self, claims: JobClaims, owner: str, clock: Clock, policy: JobPolicy) -> None:
        self.claims, self.owner, self.clock, self.policy = claims, owner, clock, policy

    async def once(self, run: Run, send: Callable[[], Awaitable[None]]) -> bool:
        """Claim, send, mark posted; False when another replica has (or had) the run."""
        if not await self.claims.claim(
            run.job, run.period_start, self.owner, self.policy.lease, now=self.clock.now()
        ):
            return False
        # If send raises, the claim stays unposted: it expires after the lease and a later tick retries.
        await send()
        await self.claims.mark_posted(run.job, run.period_start, self.owner, now=self.clock.now())
        return True

    async def post(self, run: Run, notice: Notice, notifier: Notifier) -> None:
        """Send a run's notice; to each destination apart, skipping those a failed attempt already reached.

        A retry after Slack took the digest and Teams refused it posts to Teams only.
        """
        # One key per run: a replica that re-runs a run whose poster died queues nothing new in an outbox.
        notice = replace(notice, key=notice.key or f"{run.job}@{run.period_start.isoformat()}")
        if not isinstance(notifier, Destinations):
            await notifier.send(notice)
            return
        errors: list[Exception] = []
        for name in notifier.destinations():
            part = Run(f"{run.job}@{name}", run.period_start)
            if await self.claims.posted_at(part.job, part.period_start) is not None:
                continue
            try:
                await notifier.send_to(name, notice)
            except Exception as exc:  # one platform down must not starve the others
                errors.append(exc)
                continue
            await self._record(part)
        if errors:
            raise errors[0]

    async def _record(self, run: Run) -> None:
        now = self.clock.now()
        # Only the holder of the whole run's lease gets here, so a zero-length lease is enough.
        if await self.claims.claim(run.job, run.period_start, self.owner, RECORD, now=now):
            await self.claims.mark_posted(run.job, run.period_start, self.owner, now=now)

    async def pending(self, runs: Sequence[Run]) -> list[Run]:
        """The runs not posted yet (a cheap check before composing anything)."""
        return [r for r in runs if await self.claims.posted_at(r.job, r.period_start) is None]

    async def each(self, items: Sequence[tuple[Run, Notice]], notifier: Notifier) -> int:
        """Send every notice once; one failure does not stop the others, and is raised at the end."""
        sent, errors = 0, []
        for run, notice in items:
            try:
                sent += await self.once(run, lambda r=run, n=notice: self.post(r, n, notifier))  # type: ignore[misc]
            except Exception as exc:  # fan-out: log-and-continue happens in the caller
                errors.append(exc)
        if errors:
            raise errors[0]
        return sent


def digest_notice(digest: Digest, chart_png: bytes | None) -> Notice:
    """The digest for the leaders' channels: text fallback, structured content and the trend chart."""
    data: dict[str, object] = {"digest": digest.to_dict()}
    if chart_png:
        data["chart_png"] = chart_png
        data["chart_name"] = f"fixloop-trend-{digest.local_start():%Y-%m-%d}.png"
    return Notice(kind="digest", to="leaders", text=digest.to_text(), data=data)


async def send_digest(
    period: Period, compose: Callable[[Period], Awaitable[Notice]], *, claimer: Claimer, notifier: Notifier
) -> bool:
    """Post the week's digest once; composing happens only after the claim is won."""

    run = Run("digest", period.start)

    async def send() -> None:
        await claimer.post(run, await compose(period), notifier)

    return await claimer.once(run, send)


def coaching_notice(manager: str, prompts: Sequence[CoachingPrompt], period: Period) -> Notice:
    """One manager's weekly coaching prompts, one block per agent, with the review template."""
    text = "\n\n".join(p.to_text() for p in prompts)
    data = {
        "prompts": [p.to_dict() for p in prompts],
        "template": list(TEMPLATE),
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
    }
    return Notice(kind="coaching", to=f"person:{manager}", text=text, data=data)


async def send_coaching(
    period: Period, prompts: Sequence[CoachingPrompt], *, claimer: Claimer, notifier: Notifier
) -> int:
    """Each manager's prompts once for the week (a claim per manager, so one failure retries alone)."""
    by_manager: dict[str, list[CoachingPrompt]] = {}
    for p in prompts:
        by_manager.setdefault(p.manager, []).append(p)
    items = [
        (Run(f"coaching:{m}", period.start), coaching_notice(m, ps, period)) for m, ps in by_manager.items()
    ]
    return await claimer.each(items, notifier)


def nudge_notice(ticket: Ticket, due: datetime, now: datetime) -> Notice:
    """A ticket close to its SLA target, for the triage channel."""
    left = max(0, int((due - now).total_seconds() // 60))
    text = f"{ticket.id} ({ticket.priority}) reaches its SLA target in {left} min: {ticket.subject[:80]}"
    data = {
        "due_at": due.isoformat(),
        "minutes_left": left,
        "priority": str(ticket.priority),
        "agent": ticket.agent,
    }
    return Notice(kind="sla_nudge", to="triage", text=text, ticket_id=ticket.id, data=data)


async def send_sla_nudges(
    *, candidates: JobCandidates, org: Org, claimer: Claimer, notifier: Notifier
) -> int:
    """Post each open ticket that nears its SLA target to triage, once per ticket."""
    now, share = claimer.clock.now(), claimer.policy.near_sla_share
    near = near_sla(await candidates.near_sla(now, org.sla_for, share), now, org.sla_for, share)
    return await claimer.each([(nudge_run(t), nudge_notice(t, due, now)) for t, due in near], notifier)


def follow_up_notice(review: Review) -> Notice:
    """A week after a review: did the agreed change happen?"""
    text = (
        f"A week ago you reviewed {review.ticket_id} with {review.agent}. You agreed: "
        f'"{review.what_changes_next}". Did that change happen?'
    )
    data = {"review_id": review.id, "agent": review.agent, "what_changes_next": review.what_changes_next}
    return Notice(
        kind="review_follow_up",
        to=f"person:{review.manager}",
        text=text,
        ticket_id=review.ticket_id,
        data=data,
    )


async def send_follow_ups(*, reviews: ReviewRepository, claimer: Claimer, notifier: Notifier) -> int:
    """Ask each manager, once, whether the change agreed in a review a week ago happened."""
    due = due_follow_ups(await reviews.list(), claimer.clock.now(), claimer.policy)
    return await claimer.each([(follow_up_run(r), follow_up_notice(r)) for r in due], notifier)
