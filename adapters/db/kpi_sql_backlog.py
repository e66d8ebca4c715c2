"""The backlog KPI in SQL: tickets open at a period's end, their median age, how many are past their SLA.

Nothing comes back per ticket: the database counts the open tickets per surface and priority, counts
those created at or before each priority's SLA cut (the latest creation time whose age at the end exceeds
the target, found in Python with core's own float arithmetic, so the count is exactly core's), and returns
the one or two middle creation times of each scope (ORDER BY ... OFFSET over the partial indexes, which
are in creation order). Ages are computed from those with the very expression core uses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    DateTime,
    Text,
    and_,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import to_iso
from adapters.db.kpi_sql_base import SCOPES, T, count_if
from core.kpis import Period
from core.stats import median

EPOCH, MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)
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


def open_at(session: AsyncSession, end: datetime) -> Any:
    """(surface, priority, created_at) of the tickets open at `end`, as a subquery.

    Open at the end: never resolved, resolved after it, or reopened before it and not closed again. Three
    disjoint parts, each a range of an index (migrations 0015 and 0020 make the first and last covering).
    """
    reopened = and_(
        EVER_REOPENED,
        or_(T.c.closed_at.is_(None), T.c.closed_at >= end),
        _reopened_before(session, end),
    )
    base = select(T.c.surface, T.c.priority, T.c.created_at).where(T.c.created_at < end)
    return union_all(
        base.where(T.c.resolved_at.is_(None)),
        base.where(T.c.resolved_at >= end),
        base.where(T.c.resolved_at < end, reopened),
    ).subquery("open_at")


def age_hours(end: datetime, created: datetime) -> float:
    """core's age: (end - created).total_seconds() / 3600, an exact integer of microseconds over 10**6."""
    return (end - created) // MICROSECOND / 10**6 / 3600


def sla_cut(end: datetime, target: float) -> datetime | None:
    """The latest creation time whose age at `end` is over `target` hours (None: no time is)."""
    try:
        cut = end - timedelta(hours=target)
    except (OverflowError, ValueError):  # an infinite or NaN target: no ticket is past it
        return None
    # Age is monotonic in the creation time, so step to the exact boundary of core's float comparison.
    while age_hours(end, cut) <= target:
        cut -= MICROSECOND
    while age_hours(end, cut + MICROSECOND) > target:
        cut += MICROSECOND
    return cut


async def backlog_figures(
    session: AsyncSession, p: Period, sla: Callable[[str], float]
) -> dict[str, dict[str, Any]]:
    """Tickets open at the end of P, their median age and how many are past their SLA target."""
    b = open_at(session, p.end)
    counts = (
        await session.execute(select(b.c.surface, b.c.priority, func.count().label("n")).group_by(
            b.c.surface, b.c.priority))
    ).all()  # fmt: skip
    over = await _over_sla(session, b, p.end, {r.priority for r in counts}, sla)
    out = {}
    for s in SCOPES:
        n = sum(int(r.n) for r in counts if s == "total" or r.surface == s)
        middle = await _middle(session, b, s, n)
        out[s] = {
            "backlog": {
                "open": n,
                "median_age_hours": median([age_hours(p.end, at) for at in middle]),
                "over_sla": sum(n for surface, n in over.items() if s == "total" or surface == s),
            }
        }
    return out


async def _over_sla(
    session: AsyncSession, b: Any, end: datetime, priorities: set[str], sla: Callable[[str], float]
) -> dict[str, int]:
    """Per surface, the open tickets created at or before their priority's SLA cut."""
    cuts = {p: cut for p in priorities if (cut := sla_cut(end, sla(p))) is not None}
    if not cuts:
        return {}
    late = or_(*(and_(b.c.priority == p, b.c.created_at <= cut) for p, cut in cuts.items()))
    rows = (await session.execute(select(b.c.surface, count_if(late).label("n")).group_by(b.c.surface))).all()
    return {r.surface: int(r.n) for r in rows}


async def _middle(session: AsyncSession, b: Any, scope: str, n: int) -> list[datetime]:
    """The creation time of the middle open ticket of a scope, or the two middle ones when n is even."""
    if not n:
        return []
    stmt = select(b.c.created_at).order_by(b.c.created_at).offset((n - 1) // 2).limit(2 - n % 2)
    if scope != "total":
        stmt = stmt.where(b.c.surface == scope)
    return list((await session.execute(stmt)).scalars().all())
