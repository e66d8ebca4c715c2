"""The weekly digest from SQL aggregates, for ledgers too large to load: KPIs, causes, trend, fades."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import SqlRepository
from adapters.db.causes import to_cause
from adapters.db.digest_sql_trend import trend
from adapters.db.kpi_sql import SqlKpis
from adapters.db.kpi_sql_base import C, Memo, T, count_if, within
from adapters.db.tables import UTCDateTime
from core.causes import Cause, RankedCause
from core.digests import Digest, build_digest, trend_weeks
from core.fix_digest import WATCH, fix_news
from core.kpis import Period
from core.org import ImpactWeights, Org

EVIDENCE = 3


def _hours(session: AsyncSession, end: Any, start: Any) -> Any:
    """end - start in hours as a float, in the database's own date arithmetic.

    date_part, not extract: on PostgreSQL extract returns numeric, and numeric arithmetic over every
    caused ticket was most of the ranking's time at a million tickets.
    """
    if _postgres(session):
        return func.date_part("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _clamp(session: AsyncSession, value: Any, low: float, high: float) -> Any:
    """min(max(value, low), high), the value computed once (a CASE would evaluate it three times)."""
    if _postgres(session):
        return func.least(func.greatest(value, low), high)
    return func.min(func.max(value, low), high)  # SQLite's scalar min and max of several arguments


def _impact(session: AsyncSession, now: datetime, w: ImpactWeights) -> Any:
    """DESIGN.md's impact of one ticket as a SQL expression: weights x (1 + users) x capped hours open."""
    end = case(
        (T.c.status != "resolved", literal(now, UTCDateTime())),
        else_=func.coalesce(T.c.closed_at, T.c.resolved_at),
    )
    capped = _clamp(session, _hours(session, end, T.c.created_at), 0.0, w.hours_cap)
    prio = case(*((T.c.priority == k, v) for k, v in w.priority.items()), else_=1.0)
    surf = case(*((T.c.surface == k, v) for k, v in w.surface.items()), else_=1.0)
    users = case((T.c.affected_users > 0, T.c.affected_users), else_=0)
    return prio * surf * (1 + users) * capped


async def ranked_causes(
    session: AsyncSession, window: Period | None, now: datetime, w: ImpactWeights, limit: int | None = None
) -> list[RankedCause]:
    """Causes with tickets created in the window (None: ever), ranked by impact at `now`, with 3 costliest.

    One aggregate ranks every cause; the costliest tickets and the causes' rows are read for the first
    `limit` only, so the ranking of a million tickets returns a handful of rows.
    """
    per = (
        select(T.c.id, T.c.cause_key, T.c.surface, T.c.status, _impact(session, now, w).label("impact"))
        .where(T.c.cause_key.is_not(None), within(T.c.created_at, window) if window else true())
        .subquery()
    )
    agg = (
        await session.execute(
            select(
                per.c.cause_key,
                func.count().label("n"),
                func.sum(per.c.impact).label("impact"),
                count_if(per.c.status != "resolved").label("open"),
                count_if(per.c.surface == "internal").label("internal"),
                count_if(per.c.surface == "external").label("external"),
            )
            .where(select(C.c.key).where(C.c.key == per.c.cause_key).exists())
            .group_by(per.c.cause_key)
        )
    ).all()
    agg = sorted(agg, key=lambda a: (-round(float(a.impact), 2), -int(a.n), a.cause_key))[:limit]
    keys = [a.cause_key for a in agg]
    evidence = await _costliest(session, per, keys)
    causes = await _causes(session, keys)
    return [
        RankedCause(
            causes[a.cause_key],
            int(a.n),
            round(float(a.impact), 2),
            tuple(s for s in ("external", "internal") if getattr(a, s)),
            int(a.open),
            evidence[a.cause_key],
        )
        for a in agg
    ]


def _chunks(keys: list[str], size: int = 500) -> list[list[str]]:
    """Keys in lists short enough for one IN (...) on every backend."""
    return [keys[i : i + size] for i in range(0, len(keys), size)]


async def _costliest(session: AsyncSession, per: Any, keys: list[str]) -> dict[str, list[str]]:
    """The EVIDENCE costliest ticket ids of each cause (ties by id), for the given causes only."""
    evidence: dict[str, list[str]] = defaultdict(list)
    rank = func.row_number().over(partition_by=per.c.cause_key, order_by=(per.c.impact.desc(), per.c.id))
    for chunk in _chunks(keys):
        ranked_ids = (
            select(per.c.cause_key, per.c.id, rank.label("rn")).where(per.c.cause_key.in_(chunk)).subquery()
        )
        top = select(ranked_ids).where(ranked_ids.c.rn <= EVIDENCE)
        for r in (await session.execute(top.order_by(ranked_ids.c.cause_key, ranked_ids.c.rn))).all():
            evidence[r.cause_key].append(r.id)
    return evidence


async def evidence_refs(session: AsyncSession, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Platform and chat references of the evidence tickets, for links in the chat cards."""
    rows = (
        (await session.execute(select(T.c.id, T.c.platform, T.c.chat).where(T.c.id.in_(ids)))).all()
        if ids
        else []
    )
    return {r.id: {"platform": r.platform, "chat": dict(r.chat)} for r in rows}


async def _causes(session: AsyncSession, keys: list[str]) -> dict[str, Cause]:
    """The named causes, read in chunks."""
    return {
        r.key: to_cause(r._mapping)
        for chunk in _chunks(keys)
        for r in (await session.execute(select(C).where(C.c.key.in_(chunk)))).all()
    }


async def _fix_news_causes(session: AsyncSession, p: Period) -> list[Cause]:
    """The causes whose fix was filed, shipped, held or regressed in P (core.fix_digest.fix_news's tests,
    narrowed in SQL to a superset that fix_news then checks itself), not every cause of the ledger."""
    stmt = select(C).where(
        or_(
            within(C.c.fix_filed_at, p),
            within(C.c.fix_shipped_at, p),
            within(C.c.fix_shipped_at, Period(p.start - WATCH, p.end - WATCH)),
            within(C.c.fix_regressed_at, p),
        )
    )
    return [to_cause(r._mapping) for r in (await session.execute(stmt)).all()]


class SqlDigests(SqlRepository):
    """Compose the digest with every heavy step done by the database."""

    async def compose(self, period: Period, *, org: Org, now: datetime, top: int = 5) -> Digest:
        """The digest for a period: KPIs and the previous period's, top causes, the 12-week trend."""
        kpis, memo = SqlKpis(self._sessions), Memo()  # the baseline windows, counted once for all three
        report = await kpis.report(period, sla_hours=org.sla_for, memo=memo)
        previous = await kpis.report(period.shifted(1), sla_hours=org.sla_for, memo=memo)
        async with self._sessions() as session:
            window = Period(period.shifted(3).start, period.end)
            ranked = await ranked_causes(session, window, min(now, period.end), org.weights)
            points, fades, fading = await trend(session, trend_weeks(period, org.timezone), memo)
            shown = [i for r in ranked if r in ranked[:top] or r.cross_surface for i in r.evidence]
            refs = await evidence_refs(session, shown)
            causes = await _fix_news_causes(session, period)
        return build_digest(
            report, previous, ranked, fades=fades, fading=fading, trend=points, evidence=refs,
            timezone=org.timezone, top=top, fixes=fix_news(causes, period),
        )
