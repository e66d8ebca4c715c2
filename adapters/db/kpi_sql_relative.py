"""Tickets counted in a window placed relative to each fixed cause's fix (the baselines of deflection and
of the digest's fades), for every cause fixed before a cut, in one statement."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.kpi_sql_base import C, Count, Memo, window_counts

# On PostgreSQL the windows come from the causes table itself: shipping thousands of windows as bound
# arrays cost more of this process's time than the database's count. make_interval(secs => ...) is an
# exact span of seconds; a '28 days' interval would follow the session's calendar across a DST change.
RELATIVE = text("""
SELECT t.surface, c.key AS cause, c.fix_shipped_at AS shipped, count(*) AS n
FROM causes c
JOIN tickets t ON t.cause_key = c.key
 AND t.created_at >= c.fix_shipped_at - make_interval(secs => :lo)
 AND t.created_at < c.fix_shipped_at - make_interval(secs => :hi)
WHERE c.fix_shipped_at < :cut
GROUP BY t.surface, c.key, c.fix_shipped_at
""")


async def relative_counts(
    session: AsyncSession, lo: timedelta, hi: timedelta, cut: datetime, memo: Memo | None = None
) -> list[Count]:
    """Per (surface, cause fixed before cut): its tickets created in [fixed at - lo, fixed at - hi).

    A memo that counted the same window for a later cut already holds these: they are filtered from it.
    """
    memo = Memo() if memo is None else memo
    known = memo.relative.get((lo, hi))
    if known is None or known[0] < cut:
        known = (cut, await _count(session, lo, hi, cut))
        memo.relative[(lo, hi)] = known
    return [Count(surface, "", cause, n) for surface, cause, shipped, n in known[1] if shipped < cut]


async def _count(
    session: AsyncSession, lo: timedelta, hi: timedelta, cut: datetime
) -> list[tuple[str, str, datetime, int]]:
    if session.get_bind().dialect.name == "postgresql":
        params = {"lo": lo.total_seconds(), "hi": hi.total_seconds(), "cut": cut}
        rows = (await session.execute(RELATIVE, params)).all()
        return [(r.surface, r.cause, r.shipped, int(r.n)) for r in rows]
    # SQLite stores times as text: the windows are computed here and counted as bound rows.
    before_cut = select(C.c.key, C.c.fix_shipped_at).where(C.c.fix_shipped_at < cut)
    fixed = (await session.execute(before_cut)).all()
    at = {c.key: c.fix_shipped_at for c in fixed}
    windows = [("", c.key, c.fix_shipped_at - lo, c.fix_shipped_at - hi) for c in fixed]
    return [(r.surface, r.cause, at[r.cause], r.n) for r in await window_counts(session, windows)]
