"""Read-only use cases: ranked causes, KPIs, the digest, coaching prompts, review figures, the audit log."""

from __future__ import annotations

from datetime import datetime

from core import coaching, follow_ups
from core.audit import AuditEntry
from core.causes import RankedCause
from core.coaching import CoachingPrompt
from core.digests import Digest
from core.kpis import KpiReport, Period
from core.org import Org
from core.ports import AuditLog, Clock, Reports, ReviewRepository, TicketRepository


async def ranked_causes(
    now: datetime | None = None, limit: int | None = None, *, reports: Reports, org: Org, clock: Clock
) -> list[RankedCause]:
    """Causes ranked by business impact (the first `limit`), aggregated where the tickets are."""
    return await reports.ranked_causes(now or clock.now(), org.weights, limit=limit)


async def kpis(period: Period, *, reports: Reports, org: Org) -> KpiReport:
    """Every KPI of DESIGN.md for a period, total and per surface."""
    return await reports.kpis(period, sla_hours=org.sla_for)


async def digest(period: Period, *, reports: Reports, org: Org, clock: Clock) -> Digest:
    """The weekly digest document."""
    return await reports.digest(period, org=org, now=clock.now())


async def coaching_prompts(period: Period, *, tickets: TicketRepository, org: Org) -> list[CoachingPrompt]:
    """One strong and one weak ticket per agent, per manager (reads only tickets resolved since P starts)."""
    resolved = await tickets.list(resolved_since=period.start)
    return coaching.coaching_prompts(org, resolved, period.start, period.end)


async def review_summary(period: Period, *, reviews: ReviewRepository) -> dict[str, object]:
    """Ticket reviews written in the period, per agent and per manager, and their follow-up answers."""
    written = await reviews.list()
    return {
        **coaching.review_summary(written, period),
        "follow_ups": follow_ups.follow_up_summary(written, period),
    }


async def audit_entries(since: datetime | None = None, *, audit: AuditLog) -> list[AuditEntry]:
    """Who escalated, judged, recorded causes, linked and shipped fixes and reviewed, oldest first."""
    return await audit.list(since=since)
