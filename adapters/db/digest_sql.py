"""The weekly digest from SQL aggregates, for ledgers too large to load: KPIs, causes, trend, fades."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import SqlRepository
from adapters.db.causes import to_cause
from adapters.db.kpi_sql import SqlKpis
from adapters.db.kpi_sql_base import C, T, count_if, window_counts, within
from adapters.db.tables import UTCDateTime
from core.causes import RankedCause
from core.digests import Digest, Fade, TrendPoint, build_digest, trend_weeks
from core.fix_digest import fix_news
from core.kpis import BASELINE_PERIODS, Period
from core.org import ImpactWeights, Org

EVIDENCE = 3


def _hours(session: AsyncSession, end: Any, start: Any) -> Any:
    """end - start in hours, in the database's own date arithmetic."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _impact(session: AsyncSession, now: datetime, w: ImpactWeights) -> Any:
    """DESIGN.md's impact of one ticket as a SQL expression: weights x (1 + users) x capped hours open."""
    end = case(
        (T.c.status != "resolved", literal(now, UTCDateTime())),
        else_=func.coalesce(T.c.closed_at, T.c.resolved_at),
    )
    hours = _hours(session, end, T.c.created_at)
    capped = case((hours < 0, 0.0), (hours > w.hours_cap, w.hours_cap), else_=hours)
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
    causes = {
        r.key: to_cause(r._mapping)
        for chunk in _chunks(keys)
        for r in (await session.execute(select(C).where(C.c.key.in_(chunk)))).all()
    }
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


async def trend(session: AsyncSession, weeks: list[Period]) -> tuple[list[TrendPoint], list[Fade]]:
    """The 12 chart points and the last week's fading causes, from per-week, per-cause counts."""
    edges = [weeks[0].shifted(1)] + weeks  # one more week, for the first week's repeat-cause rate
    bucket = case(*((T.c.created_at >= w.start, i) for i, w in reversed(list(enumerate(edges)))), else_=-1)
    bot = and_(T.c.resolution == "article", T.c.first_human_reply_at.is_(None))
    rows = (
        await session.execute(
            select(bucket.label("b"), T.c.cause_key, func.count().label("n"), count_if(bot).label("bot"))
            .where(T.c.created_at >= edges[0].start, T.c.created_at < edges[-1].end)
            .group_by("b", T.c.cause_key)
        )
    ).all()
    per: dict[int, dict[str | None, tuple[int, int]]] = defaultdict(dict)
    for r in rows:
        per[int(r.b)][r.cause_key] = (int(r.n), int(r.bot))
    shipped = (
        await session.execute(
            select(C).where(
                C.c.fix_shipped_at < weeks[-1].start, select(T.c.id).where(T.c.cause_key == C.c.key).exists()
            )
        )
    ).all()
    lengths = {w.length for w in weeks}
    windows = [
        (str(length), c.key, c.fix_shipped_at - BASELINE_PERIODS * length, c.fix_shipped_at)
        for length in lengths
        for c in shipped
    ]
    base: dict[tuple[str, str], int] = defaultdict(int)
    for r in await window_counts(session, windows):
        base[(r.tag, r.cause)] += int(r.n)
    points, fades = [], []
    for i, w in enumerate(weeks, start=1):
        now, before = per.get(i, {}), per.get(i - 1, {})
        caused = [(k, n) for k, (n, _) in now.items() if k is not None]
        prevented, fading = None, []
        for c in (c for c in shipped if c.fix_shipped_at < w.start):
            b, a = base[(str(w.length), c.key)] / BASELINE_PERIODS, now.get(c.key, (0, 0))[0]
            prevented = (prevented or 0.0) + max(0.0, b - a)
            if a < b:
                fading.append(Fade(to_cause(c._mapping), b, a))
        repeat = sum(n for k, n in caused if k in before)
        total = sum(n for k, n in caused)
        points.append(
            TrendPoint(
                w.start,
                sum(n for n, _ in now.values()),
                sum(b for _, b in now.values()),
                repeat / total if total else None,
                prevented,
            )
        )
        fades = fading
    return points, sorted(fades, key=lambda f: (f.now - f.before, f.cause.key))


class SqlDigests(SqlRepository):
    """Compose the digest with every heavy step done by the database."""

    async def compose(self, period: Period, *, org: Org, now: datetime, top: int = 5) -> Digest:
        """The digest for a period: KPIs and the previous period's, top causes, the 12-week trend."""
        kpis = SqlKpis(self._sessions)
        report = await kpis.report(period, sla_hours=org.sla_for)
        previous = await kpis.report(period.shifted(1), sla_hours=org.sla_for)
        async with self._sessions() as session:
            window = Period(period.shifted(3).start, period.end)
            ranked = await ranked_causes(session, window, min(now, period.end), org.weights)
            points, fades = await trend(session, trend_weeks(period, org.timezone))
            shown = [i for r in ranked if r in ranked[:top] or r.cross_surface for i in r.evidence]
            refs = await evidence_refs(session, shown)
            causes = [to_cause(r._mapping) for r in (await session.execute(select(C))).all()]
        return build_digest(
            report, previous, ranked, fades=fades, trend=points, evidence=refs, timezone=org.timezone,
            top=top, fixes=fix_news(causes, period),
        )
