"""The digest's 12-week trend from SQL: per-week, per-cause counts and each fixed cause's baseline window."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.causes import to_cause
from adapters.db.kpi_sql_base import C, Memo, T, count_if, window_counts, within
from core.digests import MAX_FADES, Fade, TrendPoint
from core.kpis import BASELINE_PERIODS, Period


async def trend(
    session: AsyncSession, weeks: list[Period], memo: Memo | None = None
) -> tuple[list[TrendPoint], list[Fade], int]:
    """The 12 chart points, the last week's MAX_FADES most faded causes and how many faded, from
    per-week, per-cause counts."""
    per = await _weekly(session, weeks)
    shipped = (
        await session.execute(
            select(C).where(
                C.c.fix_shipped_at < weeks[-1].start, select(T.c.id).where(T.c.cause_key == C.c.key).exists()
            )
        )
    ).all()
    base = await _baselines(session, [(c.key, c.fix_shipped_at) for c in shipped], weeks, memo)
    fixed = [(c.key, c.fix_shipped_at, c) for c in shipped]
    points: list[TrendPoint] = []
    fading: list[tuple[Any, float, int]] = []
    edges = [weeks[0].shifted(1)] + weeks
    for i, w in enumerate(weeks, start=1):
        # The repeat-cause rate looks back one period of the week's own length; across a DST change that
        # is not the calendar week before (an hour more or less), so its causes are read on their own.
        last = w.shifted(1)
        before = per.get(i - 1, {}) if edges[i - 1] == last else await _caused_in(session, last)
        point, fading = _point(w, per.get(i, {}), before, fixed, base)
        points.append(point)
    # The last week's only; as fades_of sorts them, and only those shown are built (thousands fade at scale).
    most = sorted(fading, key=lambda f: (f[2] - f[1], f[0].key))[:MAX_FADES]
    return points, [Fade(to_cause(c._mapping), b, a) for c, b, a in most], len(fading)


Week = dict[str | None, tuple[int, int]]  # cause (None: none) -> (tickets created, bot-deflected)
Fixed = tuple[str, datetime, Any]  # a fixed cause's key, when its fix shipped, its row


def _point(
    w: Period, now: Week, before: Week, fixed: list[Fixed], base: dict[tuple[str, str], int]
) -> tuple[TrendPoint, list[tuple[Any, float, int]]]:
    """One week's chart point, and its fading causes (B a week before the fix, A this week, A < B)."""
    caused = [(k, n) for k, (n, _) in now.items() if k is not None]
    prevented, fading, tag = None, [], str(w.length)
    for key, shipped_at, c in fixed:
        if shipped_at < w.start:
            b, a = base[(tag, key)] / BASELINE_PERIODS, now.get(key, (0, 0))[0]
            prevented = (prevented or 0.0) + max(0.0, b - a)
            if a < b:
                fading.append((c, b, a))
    repeat = sum(n for k, n in caused if k in before)
    total = sum(n for k, n in caused)
    created, bot = sum(n for n, _ in now.values()), sum(b for _, b in now.values())
    return TrendPoint(w.start, created, bot, repeat / total if total else None, prevented), fading


async def _baselines(
    session: AsyncSession, shipped: list[tuple[str, datetime]], weeks: list[Period], memo: Memo | None
) -> dict[tuple[str, str], int]:
    """Per (week length, cause): tickets in the BASELINE_PERIODS lengths before the fix, B of the fades.

    The last week's length (the digest's period: its deflection counted these windows already, in the
    memo) is counted whole; another length (a week with a DST change, an hour longer or shorter) only as
    the thin edge between its window and that one, added or taken away: exact, and a few rows, not a
    second pass over every fixed cause's baseline tickets.
    """
    main = weeks[-1].length
    windows = [("", key, at - BASELINE_PERIODS * main, at) for key, at in shipped]
    others = {w.length for w in weeks} - {main}
    for length in others:
        for key, at in shipped:
            a, b = sorted((at - BASELINE_PERIODS * length, at - BASELINE_PERIODS * main))
            windows.append((str(length), key, a, b))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in await window_counts(session, windows, memo):
        counts[(r.tag, r.cause)] += int(r.n)
    base = {(str(main), key): counts[("", key)] for key, _ in shipped}
    for length in others:
        sign = 1 if length > main else -1
        for key, _ in shipped:
            base[(str(length), key)] = counts[("", key)] + sign * counts[(str(length), key)]
    return base


async def _caused_in(session: AsyncSession, p: Period) -> Week:
    """The causes with tickets created in P (the counts are not needed: only which causes)."""
    stmt = select(T.c.cause_key).where(T.c.cause_key.is_not(None), within(T.c.created_at, p)).distinct()
    return {key: (1, 0) for key in (await session.execute(stmt)).scalars().all()}


async def _weekly(session: AsyncSession, weeks: list[Period]) -> dict[int, Week]:
    """Per week index (0: the week before the first) and cause: tickets created, and bot-deflected."""
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
    per: dict[int, Week] = defaultdict(dict)
    for r in rows:
        per[int(r.b)][r.cause_key] = (int(r.n), int(r.bot))
    return per
