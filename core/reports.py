"""Read-only use cases: ranked causes, KPIs, the digest, coaching prompts, review figures, the audit log."""

from __future__ import annotations

from datetime import datetime

from core import coaching, follow_ups
from core.audit import AuditEntry
from core.causes import RankedCause, rank_causes
from core.coaching import CoachingPrompt
from core.digests import Digest, compose_digest
from core.kpis import KpiReport, Period, compute_kpis
from core.org import Org
from core.ports import AuditLog, CauseRepository, Clock, ReviewRepository, TicketRepository


async def ranked_causes(
    now: datetime | None = None, *, tickets: TicketRepository, causes: CauseRepository, org: Org, clock: Clock
) -> list[RankedCause]:
    """All causes ranked by business impact."""
    return rank_causes(
        await causes.list(), await tickets.list_all(), now=now or clock.now(), weights=org.weights
    )


async def kpis(period: Period, *, tickets: TicketRepository, causes: CauseRepository, org: Org) -> KpiReport:
    """Every KPI of DESIGN.md for a period, total and per surface."""
    return compute_kpis(await tickets.list_all(), await causes.list(), period, sla_hours=org.sla_for)


async def digest(
    period: Period, *, tickets: TicketRepository, causes: CauseRepository, org: Org, clock: Clock
) -> Digest:
    """The weekly digest document."""
    return compose_digest(await tickets.list_all(), await causes.list(), period, org=org, now=clock.now())


async def coaching_prompts(period: Period, *, tickets: TicketRepository, org: Org) -> list[CoachingPrompt]:
    """One strong and one weak ticket per agent, per manager."""
    return coaching.coaching_prompts(org, await tickets.list_all(), period.start, period.end)


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
