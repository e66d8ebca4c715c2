"""The scheduler inside `fixloop serve`: APScheduler 3 jobs that are thin registry entries calling core.

APScheduler 3 runs a job once per replica, so every run claims its (job, period start) row in the
database first: however many replicas run, the digest, each manager's coaching prompts, each SLA nudge
and each review follow-up go out once. A periodic sweep re-runs the weekly jobs, which is how a replica
that was down at fire time catches up and how a claim whose poster died is retried after its lease.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db._sql import Sessions
from adapters.db.claims import SqlJobClaims
from adapters.db.job_sql import SqlJobCandidates
from bot.config import Schedule
from bot.recluster_process import Propose, elsewhere
from core.coaching import coaching_prompts
from core.desk import Desk
from core.jobs import (
    Claimer,
    JobCandidates,
    JobClaims,
    LedgerCandidates,
    digest_notice,
    send_coaching,
    send_digest,
    send_follow_ups,
    send_sla_nudges,
)
from core.periods import Period
from core.ports import Notice
from core.reclustering import reclustering_notice
from core.schedule import JobPolicy, Run, Weekly, due_week, parse_every
from core.sla_watch import LedgerSlaCandidates, SlaCandidates, watch_sla

log = logging.getLogger("fixloop.scheduler")
SWEEP = timedelta(minutes=5)
FIX_TRACKING_EVERY = timedelta(minutes=15)  # tracker poll and fix watch: one claimed run per slot
WEEKLY = ("digest", "coaching", "recluster")
Compose = Callable[[Period], Awaitable[Notice]]


def replica_id() -> str:
    """A name for this process in the claims table: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def desk_composer(desk: Desk, chart: bool = True) -> Compose:
    """Compose the digest notice in memory through the desk, with the trend chart attached."""

    async def compose(period: Period) -> Notice:
        digest = await desk.digest(period)
        png = None
        if chart:
            from adapters.charts import render_trend_png

            png = render_trend_png(digest.trend, digest.timezone)
        return digest_notice(digest, png)

    return compose


class Scheduler:
    """The job registry and its APScheduler; `run(job)` is what every trigger calls."""

    def __init__(
        self,
        desk: Desk,
        claims: JobClaims,
        schedules: Sequence[Schedule],
        *,
        compose: Compose | None = None,
        policy: JobPolicy | None = None,
        owner: str | None = None,
        candidates: JobCandidates | None = None,
        observe: Callable[[str, str, float], None] = lambda job, outcome, seconds: None,
        propose: Propose | None = None,
    ) -> None:
        self.desk, self.claims, self.observe = desk, claims, observe
        # Where the weekly clustering runs: a child process in `serve` (bot/recluster_process), else a thread.
        self.propose = propose or (lambda: desk.propose_causes(run=asyncio.to_thread))
        self.candidates = candidates or LedgerCandidates(desk.tickets)
        self.schedules = {s.job: s for s in schedules}
        self.compose = compose or desk_composer(desk)
        self.claimer = Claimer(claims, owner or replica_id(), desk.clock, policy or JobPolicy())
        self.registry: dict[str, Callable[[], Awaitable[int]]] = {
            "digest": self.digest,
            "coaching": self.coaching,
            "sla_nudge": self.sla_nudges,
            "review_follow_up": self.follow_ups,
            "recluster": self.recluster,
            "fix_tracking": self.fix_tracking,
        }
        self.aps: AsyncIOScheduler | None = None

    async def run(self, job: str) -> int:
        """Run one job now; a failure is logged and left to the next tick (its claim expires)."""
        started = time.perf_counter()
        try:
            sent = await self.registry[job]()
        except Exception:
            log.exception("scheduled job %s failed; it is retried after its lease expires", job)
            self.observe(job, "failed", time.perf_counter() - started)
            return 0
        self.observe(job, "sent" if sent else "nothing_due", time.perf_counter() - started)
        if sent:
            log.info("scheduled job %s sent %d notice(s)", job, sent)
        return sent

    async def sweep(self) -> dict[str, int]:
        """Run every job that may be due or owed: the catch-up at start and the periodic retry."""
        return {job: await self.run(job) for job in (*WEEKLY, "review_follow_up", "fix_tracking")}

    def _week(self, job: str) -> Period | None:
        s = self.schedules.get(job)
        if s is None:
            return None
        weekly = Weekly(s.day, s.time, self.desk.org.timezone)
        return due_week(weekly, self.desk.clock.now(), self.claimer.policy)

    async def digest(self) -> int:
        """The weekly KPI digest to the leaders' channels, once per week."""
        period = self._week("digest")
        if period is None:
            return 0
        return int(await send_digest(period, self.compose, claimer=self.claimer, notifier=self.desk.notifier))

    async def coaching(self) -> int:
        """Each manager's weekly coaching prompts, once per manager and week."""
        period = self._week("coaching")
        if period is None:
            return 0
        managers = {p.manager for p in self.desk.org.people if p.manager}
        runs = [Run(f"coaching:{m}", period.start) for m in sorted(managers)]
        if not await self.claimer.pending(runs):
            return 0  # all sent: skip loading the week's tickets on every sweep
        org = self.desk.org
        agents = sorted({a.key for m in managers for a in org.reports_of(m)})
        tickets = await self.candidates.coaching_tickets(agents, period)
        prompts = coaching_prompts(org, tickets, period.start, period.end)
        return await send_coaching(period, prompts, claimer=self.claimer, notifier=self.desk.notifier)

    async def sla_nudges(self) -> int:
        """Open tickets near their SLA target, to triage, once per ticket; breaches to the team lead."""
        org, notifier = self.desk.org, self.desk.notifier
        claimer = self.claimer
        sent = await send_sla_nudges(candidates=self.candidates, org=org, claimer=claimer, notifier=notifier)
        sla: SlaCandidates = LedgerSlaCandidates(self.desk.tickets)
        if isinstance(self.candidates, SlaCandidates):  # SQL: the database picks them
            sla = self.candidates
        return sent + await watch_sla(candidates=sla, org=org, claimer=self.claimer, notifier=notifier)

    async def recluster(self) -> int:
        """Re-cluster every ticket once a week, save the result and tell the leaders what changed."""
        period = self._week("recluster")
        if period is None or self.desk.clusterer is None:
            return 0
        run = Run("recluster", period.start)

        async def send() -> None:
            # The clustering runs elsewhere: minutes at 100k tickets, and the server keeps answering.
            result = await self.propose()
            applied = await self.desk.apply_reclustering(result)
            await self.claimer.post(run, reclustering_notice(result, applied), self.desk.notifier)

        return int(await self.claimer.once(run, send))

    async def follow_ups(self) -> int:
        """A week after each review, ask its manager whether the change happened."""
        desk = self.desk
        return await send_follow_ups(reviews=desk.reviews, claimer=self.claimer, notifier=desk.notifier)

    async def fix_tracking(self) -> int:
        """Read the linked issues' states (batched) and watch shipped fixes, once per slot across replicas."""
        desk = self.desk
        if not desk.trackers.clients and not any(c.fix_shipped_at for c in await desk.causes.list()):
            return 0  # nothing to poll and no fix to watch
        now = desk.clock.now()
        slot = now - (now - now.replace(hour=0, minute=0, second=0, microsecond=0)) % FIX_TRACKING_EVERY
        changed: list[object] = []

        async def work() -> None:
            changed.extend(await desk.poll_trackers())
            changed.extend(await desk.watch_fixes())

        await self.claimer.once(Run("fix_tracking", slot), work)
        return len(changed)

    def start(self) -> AsyncIOScheduler:
        """Register the jobs on an AsyncIOScheduler and start it; the first sweep runs at once."""
        tz = self.desk.org.timezone
        aps = AsyncIOScheduler(
            timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        )
        for job in WEEKLY:
            s = self.schedules.get(job)
            if s is not None:
                hour, minute = s.time.split(":")
                trigger = CronTrigger(day_of_week=s.day, hour=int(hour), minute=int(minute), timezone=tz)
                aps.add_job(self.run, trigger, args=[job], id=job)
        nudge = self.schedules.get("sla_nudge")
        if nudge is not None:
            aps.add_job(
                self.run,
                IntervalTrigger(seconds=parse_every(nudge.time).total_seconds()),
                args=["sla_nudge"],
                id="sla_nudge",
            )
        aps.add_job(
            self.sweep,
            IntervalTrigger(seconds=SWEEP.total_seconds()),
            id="sweep",
            next_run_time=datetime.now(UTC),
        )  # catch up at start
        aps.start()
        self.aps = aps
        return aps

    def stop(self) -> None:
        """Stop triggering; a running job finishes on its own."""
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)


def sql_composer(desk: Desk, sessions: Sessions | AsyncEngine) -> Compose:
    """Compose the digest notice from SQL aggregates (any ledger size), with the trend chart attached."""
    from adapters.charts import render_trend_png
    from bot.gaps import attach_knowledge

    async def compose(period: Period) -> Notice:
        digest = await desk.digest(period)  # the reports port: the SQL aggregates
        await attach_knowledge(digest, period, desk, sessions)
        return digest_notice(digest, render_trend_png(digest.trend, digest.timezone))

    return compose


def start_scheduler(
    desk: Desk,
    engine: AsyncEngine,
    schedules: Sequence[Schedule],
    observe: Callable[[str, str, float], None] = lambda job, outcome, seconds: None,
) -> Scheduler:
    """The scheduler of `fixloop serve`: claims and the digest both go through the database."""
    scheduler = Scheduler(
        desk,
        SqlJobClaims(engine),
        schedules,
        compose=sql_composer(desk, engine),
        candidates=SqlJobCandidates(engine),
        observe=observe,
        propose=elsewhere(engine),
    )
    scheduler.start()
    log.info(
        "scheduler started as %s: %s",
        scheduler.claimer.owner,
        ", ".join(f"{s.job} {s.day} {s.time}" for s in schedules),
    )
    return scheduler
