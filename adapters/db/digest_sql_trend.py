"""The digest's 12-week trend from SQL: per-week, per-cause counts and each fixed cause's baseline window."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import accumulate

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.causes import to_cause
from adapters.db.kpi_sql_base import C, Memo, T, count_if, within
from adapters.db.kpi_sql_relative import relative_counts
from core.digests import MAX_FADES, Fade, TrendPoint
from core.kpis import BASELINE_PERIODS, Period


async def trend(
    session: AsyncSession, weeks: list[Period], memo: Memo | None = None
) -> tuple[list[TrendPoint], list[Fade], int]:
    """The 12 chart points, the last week's MAX_FADES most faded causes and how many faded, from
    per-week, per-cause counts."""
    per = await _weekly(session, weeks)
    has_tickets = select(T.c.id).where(T.c.cause_key == C.c.key).exists()
    shipped = (  # keys and times only: thousands of causes are fixed at scale, a handful are shown
        await session.execute(
            select(C.c.key, C.c.fix_shipped_at).where(C.c.fix_shipped_at < weeks[-1].start, has_tickets)
        )
    ).all()
    fixed = Fixed([(c.key, c.fix_shipped_at) for c in shipped])
    base = await _baselines(session, fixed.order, weeks, memo)
    points: list[TrendPoint] = []
    edges = [weeks[0].shifted(1)] + weeks
    for i, w in enumerate(weeks, start=1):
        # The repeat-cause rate looks back one period of the week's own length; across a DST change that
        # is not the calendar week before (an hour more or less), so its causes are read on their own.
        last = w.shifted(1)
        before = per.get(i - 1, {}) if edges[i - 1] == last else await _caused_in(session, last)
        points.append(_point(w, per.get(i, {}), before, fixed.prevented(w, per.get(i, {}), base)))
    # The last week's only; as fades_of sorts them, and only those shown are built (thousands fade at scale).
    fading = fixed.fading(weeks[-1], per.get(len(weeks), {}), base)
    most = sorted(fading, key=lambda f: (f[2] - f[1], f[0]))[:MAX_FADES]
    rows = {
        r.key: r for r in (await session.execute(select(C).where(C.c.key.in_([k for k, _, _ in most])))).all()
    }
    return points, [Fade(to_cause(rows[k]._mapping), b, a) for k, b, a in most], len(fading)


Week = dict[str | None, tuple[int, int]]  # cause (None: none) -> (tickets created, bot-deflected)
Base = dict[tuple[str, str], int]  # (week length, cause) -> tickets in the baseline periods before its fix


class Fixed:
    """The causes whose fix shipped before the last week, in shipping order, for each week's sums."""

    def __init__(self, shipped: list[tuple[str, datetime]]) -> None:
        self.order = sorted(shipped, key=lambda s: (s[1], s[0]))
        self.times = [at for _, at in self.order]
        self.rank = {key: i for i, (key, _) in enumerate(self.order)}
        self.sums: dict[str, list[float]] = {}  # per week length: prefix sums of B

    def prevented(self, w: Period, now: Week, base: Base) -> float | None:
        """Sum of max(0, B - A) over the causes fixed before the week (None: none was).

        The sum of every such B, less min(A, B) for the few causes with tickets this week: every term is a
        multiple of 1 / BASELINE_PERIODS, so the result is exactly the cause-by-cause sum.
        """
        n, tag = bisect_left(self.times, w.start), str(w.length)
        if n == 0:
            return None
        if tag not in self.sums:
            self.sums[tag] = list(
                accumulate((base[(tag, k)] / BASELINE_PERIODS for k, _ in self.order), initial=0.0)
            )
        overlap = sum(
            min(a, base[(tag, key)] / BASELINE_PERIODS)
            for key, (a, _) in now.items()
            if key is not None and self.rank.get(key, n) < n
        )
        return self.sums[tag][n] - overlap

    def fading(self, w: Period, now: Week, base: Base) -> list[tuple[str, float, int]]:
        """(cause, B, A) of the causes fixed before the week with fewer tickets now than before."""
        n, tag = bisect_left(self.times, w.start), str(w.length)
        out = []
        for key, _ in self.order[:n]:
            b, a = base[(tag, key)] / BASELINE_PERIODS, now.get(key, (0, 0))[0]
            if a < b:
                out.append((key, b, a))
        return out


def _point(w: Period, now: Week, before: Week, prevented: float | None) -> TrendPoint:
    """One week's chart point."""
    caused = [(k, n) for k, (n, _) in now.items() if k is not None]
    repeat = sum(n for k, n in caused if k in before)
    total = sum(n for k, n in caused)
    created, bot = sum(n for n, _ in now.values()), sum(b for _, b in now.values())
    return TrendPoint(w.start, created, bot, repeat / total if total else None, prevented)


async def _baselines(
    session: AsyncSession, shipped: list[tuple[str, datetime]], weeks: list[Period], memo: Memo | None
) -> dict[tuple[str, str], int]:
    """Per (week length, cause): tickets in the BASELINE_PERIODS lengths before the fix, B of the fades.

    The last week's length (the digest's period: its deflection counted these windows already, in the
    memo) is counted whole; another length (a week with a DST change, an hour longer or shorter) only as
    the thin edge between its window and that one, added or taken away: exact, and a few rows, not a
    second pass over every fixed cause's baseline tickets.
    """
    main, cut, zero = weeks[-1].length, weeks[-1].start, timedelta(0)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in await relative_counts(session, BASELINE_PERIODS * main, zero, cut, memo):
        counts[("", r.cause)] += r.n
    others = {w.length for w in weeks} - {main}
    for length in others:
        lo, hi = sorted((BASELINE_PERIODS * length, BASELINE_PERIODS * main), reverse=True)
        for r in await relative_counts(session, lo, hi, cut, memo):
            counts[(str(length), r.cause)] += r.n
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
