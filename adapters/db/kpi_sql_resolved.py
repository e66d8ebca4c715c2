"""Resolution, CSAT, knowledge reuse, consistency and backlog KPIs in SQL (durations come back as values)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import from_iso, to_iso
from adapters.db.kpi_sql_base import SCOPES, T, count_if, scoped, spread, within
from core.kpis import MANY_SOLVES, MIN_AGENT_TICKETS, REOPEN_WINDOW, Period
from core.stats import median, pstdev, ratio

# Reopen stamps travel as JSON text only for the few rows that have any.
EPOCH, MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)
REOPENED = case((func.json_array_length(T.c.reopened_at) > 0, cast(T.c.reopened_at, Text)), else_=None)


def _reopens(text: str | None) -> list[datetime]:
    return [from_iso(x) for x in json.loads(text)] if text else []


async def resolved_figures(session: AsyncSession, p: Period) -> dict[str, dict[str, Any]]:
    """Per scope: resolution time, FCR, reopen rate, CSAT, knowledge reuse and consistency."""
    rows = (
        await session.execute(
            select(
                T.c.surface,
                T.c.created_at,
                T.c.resolved_at,
                T.c.escalated_at.is_not(None).label("escalated"),
                func.json_array_length(T.c.agents).label("n_agents"),
                T.c.agent,
                T.c.resolution,
                T.c.article_id,
                REOPENED.label("reopened"),
            ).where(within(T.c.resolved_at, p))
        )
    ).all()
    csat = (
        await session.execute(
            select(
                T.c.surface,
                T.c.agent,
                func.sum(T.c.csat).label("total"),
                func.count().label("n"),
                count_if(T.c.csat >= 4).label("happy"),
            )
            .where(T.c.csat.is_not(None), within(T.c.csat_at, p))
            .group_by(T.c.surface, T.c.agent)
        )
    ).all()
    out = {}
    for s in SCOPES:
        done, answers = scoped(rows, s), scoped(csat, s)
        fcr = [_first_contact(r) for r in done]
        out[s] = {
            "resolution_hours": spread([(r.resolved_at - r.created_at).total_seconds() / 3600 for r in done]),
            "first_contact_resolution": ratio(sum(fcr), len(done)),
            "reopen_rate": ratio(sum(1 for r in done if _reopened_soon(r)), len(done)),
            "csat": _csat(answers, len(done)),
            "knowledge_reuse": _reuse(done),
            "consistency": _consistency(done, fcr, answers),
        }
    return out


def _first_contact(r: Any) -> bool:
    return not r.escalated and r.reopened is None and r.n_agents <= 1


def _reopened_soon(r: Any) -> bool:
    return any(r.resolved_at <= at <= r.resolved_at + REOPEN_WINDOW for at in _reopens(r.reopened))


def _csat(answers: Sequence[Any], resolved: int) -> dict[str, float | None]:
    n = sum(int(a.n) for a in answers)
    total = sum(int(a.total) for a in answers)
    return {
        "mean": total / n if n else None,  # an exact integer sum over n: the same float as fmean
        "satisfied_share": ratio(sum(int(a.happy) for a in answers), n),
        "response_rate": ratio(n, resolved),
    }


def _reuse(done: Sequence[Any]) -> dict[str, Any]:
    counts = Counter(r.article_id for r in done if r.resolution == "article" and r.article_id)
    by_article = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "by_article": by_article,
        "articles_solving_10_plus": sum(1 for n in counts.values() if n >= MANY_SOLVES),
    }


def _consistency(done: Sequence[Any], fcr: Sequence[bool], answers: Sequence[Any]) -> dict[str, float | None]:
    per_agent: dict[str, list[bool]] = defaultdict(list)
    for r, first in zip(done, fcr, strict=True):
        if r.agent:
            per_agent[r.agent].append(first)
    agents = [a for a, own in per_agent.items() if len(own) >= MIN_AGENT_TICKETS]
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in answers:
        sums[a.agent][0] += int(a.total)
        sums[a.agent][1] += int(a.n)
    means = [sums[a][0] / sums[a][1] for a in agents if sums[a][1]]
    return {
        "fcr_std": pstdev([sum(per_agent[a]) / len(per_agent[a]) for a in agents]),
        "csat_std": pstdev(means),
    }


# Written as the partial index's predicate is (a constant, not a parameter), so both databases use it.
EVER_REOPENED = cast(T.c.reopened_at, Text) != literal_column("'[]'")


def _reopened_before(session: AsyncSession, end: datetime) -> Any:
    """Whether any reopen stamp in the JSON list is before `end`, checked inside the database."""
    if session.get_bind().dialect.name == "postgresql":
        pg = func.json_array_elements_text(T.c.reopened_at).table_valued("value")
        return exists(
            select(literal(1)).select_from(pg).where(cast(pg.c.value, DateTime(timezone=True)) < end)
        )
    # SQLite: stamps are written by to_iso (UTC, one format), so text order is time order.
    lite = func.json_each(T.c.reopened_at).table_valued("value")
    return exists(select(literal(1)).select_from(lite).where(lite.c.value < to_iso(end)))


def _created_us(session: AsyncSession) -> Any:
    """created_at as integer microseconds since 1970 on PostgreSQL: no datetime object per row."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", T.c.created_at) * 1_000_000, BigInteger)
    return T.c.created_at


def _us(value: int | datetime) -> int:
    return value if isinstance(value, int) else (value - EPOCH) // MICROSECOND


async def backlog_figures(
    session: AsyncSession, p: Period, sla: Callable[[str], float]
) -> dict[str, dict[str, Any]]:
    """Tickets open at the end of P, their median age and how many are past their SLA target."""
    end = p.end
    reopened = and_(
        EVER_REOPENED,
        or_(T.c.closed_at.is_(None), T.c.closed_at >= end),
        _reopened_before(session, end),
    )
    # Open at the end: never resolved, resolved after it, or reopened. Three disjoint parts, each an index
    # range (the partial indexes of migration 0015 and resolved_at), not one pass over the whole ledger.
    base = select(T.c.surface, T.c.priority, _created_us(session).label("c")).where(T.c.created_at < end)
    stmt = union_all(
        base.where(T.c.resolved_at.is_(None)),
        base.where(T.c.resolved_at >= end),
        base.where(T.c.resolved_at < end, reopened),
    )
    ages: dict[str, list[float]] = defaultdict(list)
    over: Counter[str] = Counter()
    targets: dict[str, float] = {}
    end_us = _us(end)
    for surface, priority, created in (await session.execute(stmt)).all():
        # The same arithmetic as timedelta.total_seconds() / 3600: an exact integer over 10**6, then hours.
        age = (end_us - _us(created)) / 10**6 / 3600
        ages[surface].append(age)
        target = targets.get(priority)
        if target is None:
            target = targets[priority] = sla(priority)
        if age > target:
            over[surface] += 1
    out = {}
    for s in SCOPES:
        values = ages["internal"] + ages["external"] if s == "total" else ages[s]
        count = over["internal"] + over["external"] if s == "total" else over[s]
        out[s] = {"backlog": {"open": len(values), "median_age_hours": median(values), "over_sla": count}}
    return out
