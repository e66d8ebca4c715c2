"""The fix KPIs in SQL (time to fix, fix hold rate, requesters told): the same numbers as core.kpi_fixes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.kpi_sql_base import SCOPES, C, Memo, T, count_if, scoped, spread, window_counts, within
from core.kpi_fixes import HOLD_PERIODS
from core.kpis import Period
from core.stats import ratio


async def fix_figures(
    session: AsyncSession, p: Period, memo: Memo | None = None
) -> dict[str, dict[str, Any]]:
    """Per scope: time_to_fix_hours, fix_hold_rate and requesters_told_of_fix."""
    told = (await session.execute(
        select(T.c.surface, count_if(within(T.c.fix_notified_at, p)).label("n"))
        .where(within(T.c.fix_notified_at, p)).group_by(T.c.surface)
    )).all()
    first = (await session.execute(
        select(T.c.surface, T.c.cause_key, C.c.fix_shipped_at, func.min(T.c.created_at).label("first"))
        .select_from(T.join(C, T.c.cause_key == C.c.key))
        .where(within(C.c.fix_shipped_at, p))
        .group_by(T.c.surface, T.c.cause_key, C.c.fix_shipped_at)
    )).all()
    hold = await _hold_rate(session, p, memo)
    out = {}
    for s in SCOPES:
        earliest: dict[str, Any] = {}
        for r in scoped(first, s):
            if r.cause_key not in earliest or r.first < earliest[r.cause_key].first:
                earliest[r.cause_key] = r
        hours = [(r.fix_shipped_at - r.first).total_seconds() / 3600 for r in earliest.values()]
        out[s] = {
            "time_to_fix_hours": spread(hours),
            "fix_hold_rate": hold[s],
            "requesters_told_of_fix": int(sum(r.n for r in scoped(told, s))),
        }
    return out


async def _hold_rate(session: AsyncSession, p: Period, memo: Memo | None) -> dict[str, float | None]:
    """Of causes fixed in [start - 4L, start) with B > 0 in scope, the share with A <= B / 2."""
    # B > 0 implies the cause has tickets in the scope, so no per-surface presence test is needed.
    shipped = (await session.execute(
        select(C.c.key, C.c.fix_shipped_at)
        .where(C.c.fix_shipped_at >= p.start - HOLD_PERIODS * p.length, C.c.fix_shipped_at < p.start)
    )).all()
    windows = []
    for c in shipped:
        windows += [("A", c.key, p.start, p.end),
                    ("B", c.key, c.fix_shipped_at - HOLD_PERIODS * p.length, c.fix_shipped_at)]
    counts = await window_counts(session, windows, memo)
    out: dict[str, float | None] = {}
    for s in SCOPES:
        n: dict[tuple[str, str], int] = defaultdict(int)
        for r in scoped(counts, s):
            n[(r.tag, r.cause)] += int(r.n)
        held = counted = 0
        for c in shipped:
            b = n[("B", c.key)] / HOLD_PERIODS
            if b > 0:
                counted += 1
                held += n[("A", c.key)] <= b / 2
        out[s] = ratio(held, counted)
    return out
