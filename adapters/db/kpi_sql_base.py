"""Shared pieces of the SQL KPI queries: scopes, windows bound as parameters, exact spreads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from adapters.db.tables import CauseRow, TicketRow, UTCDateTime, table_of
from core.kpis import Period
from core.stats import median, p90

T, C = table_of(TicketRow), table_of(CauseRow)
SCOPES = ("total", "internal", "external")
Rows = Sequence[Any]


def within(col: Any, p: Period) -> ColumnElement[bool]:
    """col in [start, end)."""
    return and_(col >= p.start, col < p.end)


def count_if(cond: ColumnElement[bool]) -> Any:
    """SUM(CASE WHEN cond THEN 1 ELSE 0 END), portable."""
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def scoped(rows: Iterable[Any], scope: str) -> list[Any]:
    """The rows of one report column (rows carry their surface)."""
    return [r for r in rows if scope == "total" or r.surface == scope]


def spread(values: Sequence[float]) -> dict[str, float | None]:
    """{median, p90} exactly as core computes them."""
    return {"median": median(values), "p90": p90(values)}


def windows_table(windows: Sequence[tuple[str, str, datetime, datetime]]) -> Any:
    """A derived table (tag, cause, a, b) of time windows, bound as parameters (portable, exact)."""
    rows = [
        select(
            literal(tag).label("tag"),
            literal(cause).label("cause"),
            literal(a, UTCDateTime()).label("a"),
            literal(b, UTCDateTime()).label("b"),
        )
        for tag, cause, a, b in windows
    ]
    return union_all(*rows).subquery("w")


Window = tuple[str, str, datetime, datetime]  # tag, cause, a, b
WINDOW_ARRAYS = text("""
SELECT t.surface, w.tag, w.cause, count(*) AS n
FROM unnest(CAST(:tags AS text[]), CAST(:causes AS text[]),
            CAST(:a AS timestamptz[]), CAST(:b AS timestamptz[])) AS w(tag, cause, a, b)
JOIN tickets t ON t.cause_key = w.cause AND t.created_at >= w.a AND t.created_at < w.b
GROUP BY t.surface, w.tag, w.cause
""")


@dataclass(frozen=True)
class Count:
    """Tickets of one surface in one window: what window_counts returns per (surface, window)."""

    surface: str
    tag: str
    cause: str
    n: int


Relative = tuple[datetime, list[tuple[str, str, datetime, int]]]  # cut, [(surface, cause, fixed at, n)]


@dataclass
class Memo:
    """Counts shared by the calls of one report (the digest's two KPI periods and its trend ask for the same
    baseline of every fixed cause): exact windows, and windows relative to each fix (kpi_sql_relative)."""

    windows: dict[tuple[str, datetime, datetime], list[tuple[str, int]]] = field(default_factory=dict)
    relative: dict[tuple[timedelta, timedelta], Relative] = field(default_factory=dict)


async def window_counts(
    session: AsyncSession, windows: Sequence[Window], memo: Memo | None = None
) -> list[Count]:
    """Tickets of each window's cause created in [a, b): one Count per surface with any.

    A memo shared by the calls of one report (the digest's two KPI periods and its trend ask for the same
    baseline window of every fixed cause) counts each window once.
    """
    known = {} if memo is None else memo.windows
    missing = list({(c, a, b) for _, c, a, b in windows if (c, a, b) not in known})
    for key in missing:
        known[key] = []
    for r in await _counted(session, [(str(i), c, a, b) for i, (c, a, b) in enumerate(missing)]):
        known[missing[int(r.tag)]].append((r.surface, int(r.n)))
    return [Count(s, tag, c, n) for tag, c, a, b in windows for s, n in known[(c, a, b)]]


async def _counted(session: AsyncSession, windows: Sequence[Window]) -> list[Any]:
    """Rows (surface, tag, cause, n) for each window. On PostgreSQL the windows travel as four arrays (one
    statement whatever their number: thousands of fixed causes at a million tickets); elsewhere as a derived
    table of bound rows, in chunks."""
    if not windows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        tags, causes, starts, ends = (list(column) for column in zip(*windows, strict=True))
        # The times travel as ISO text (exact to the microsecond, cast by the statement): psycopg's
        # per-element datetime dumping was most of this process's CPU for thousands of windows.
        a, b = ([t.isoformat() for t in times] for times in (starts, ends))
        params = {"tags": tags, "causes": causes, "a": a, "b": b}
        return list((await session.execute(WINDOW_ARRAYS, params)).all())
    out: list[Any] = []
    for i in range(0, len(windows), CHUNK):  # SQLite takes at most 500 terms in one compound SELECT
        out += await _window_counts(session, windows[i : i + CHUNK])
    return out


CHUNK = 400


async def _window_counts(session: AsyncSession, windows: Sequence[Window]) -> Rows:
    w = windows_table(windows)
    on = and_(T.c.cause_key == w.c.cause, T.c.created_at >= w.c.a, T.c.created_at < w.c.b)
    stmt = (
        select(T.c.surface, w.c.tag, w.c.cause, func.count().label("n"))
        .select_from(T.join(w, on))
        .group_by(T.c.surface, w.c.tag, w.c.cause)
    )
    return (await session.execute(stmt)).all()
