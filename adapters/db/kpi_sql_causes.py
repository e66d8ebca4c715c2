"""Cause KPIs in SQL: repeat-cause rate, ticket-to-fix conversion, time to root cause, deflection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.kpi_sql_base import SCOPES, C, Memo, T, count_if, scoped, spread, within
from adapters.db.kpi_sql_relative import relative_counts
from core.kpis import BASELINE_PERIODS, CONVERSION_PERIODS, Period
from core.stats import ratio


async def cause_figures(
    session: AsyncSession, p: Period, top_n: int, memo: Memo | None = None
) -> dict[str, dict[str, Any]]:
    """Per scope: the four cause KPIs, from per-cause counts the database aggregates."""
    windows = [p.shifted(k) for k in range(CONVERSION_PERIODS)]
    counts = (
        await session.execute(
            select(
                T.c.surface,
                T.c.cause_key,
                *(count_if(within(T.c.created_at, w)).label(f"w{k}") for k, w in enumerate(windows)),
            )
            .where(T.c.cause_key.is_not(None), T.c.created_at >= windows[-1].start, T.c.created_at < p.end)
            .group_by(T.c.surface, T.c.cause_key)
        )
    ).all()
    found = await _first_tickets(session, p)
    deflection = await _deflection(session, p, counts, memo)
    per_scope = {s: _per_cause(scoped(counts, s)) for s in SCOPES}
    taken = {s: _recurring(per_scope[s], top_n) for s in SCOPES}
    keys = sorted({k for ks in taken.values() for k in ks})  # a few dozen at most, not every cause
    shipped_at = dict(
        (await session.execute(select(C.c.key, C.c.fix_shipped_at).where(C.c.key.in_(keys)))).all()
    )
    out = {}
    for s in SCOPES:
        per_cause = per_scope[s]
        out[s] = {
            "repeat_cause_rate": ratio(
                sum(c[0] for c in per_cause.values() if c[1]), sum(c[0] for c in per_cause.values())
            ),
            "ticket_to_fix_conversion": _conversion(taken[s], shipped_at, p),
            "time_to_root_cause_hours": spread(_root_cause_hours(scoped(found, s))),
            "deflection_by_root_cause_elimination": deflection[s],
        }
    return out


def _per_cause(rows: Iterable[Any]) -> dict[str, list[int]]:
    """Per cause: tickets created in each of the four periods (rows of one scope, one per surface)."""
    per_cause: dict[str, list[int]] = defaultdict(lambda: [0] * CONVERSION_PERIODS)
    for r in rows:
        per_cause[r.cause_key] = [a + int(getattr(r, f"w{k}")) for k, a in enumerate(per_cause[r.cause_key])]
    return per_cause


def _recurring(per_cause: dict[str, list[int]], top_n: int) -> list[str]:
    """The top N recurring causes (tickets in two of the four periods or more) by tickets, ties by key."""
    recurring = sorted((-sum(c), key) for key, c in per_cause.items() if sum(1 for n in c if n) >= 2)
    return [key for _, key in recurring[:top_n]]


def _per_scope(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """Per scope, per cause: the sum of (surface, cause, n) rows (total holds every surface's)."""
    out: dict[str, dict[str, int]] = {s: defaultdict(int) for s in SCOPES}
    for surface, key, n in rows:
        out["total"][key] += int(n)
        if surface in out and surface != "total":
            out[surface][key] += int(n)
    return out


def _conversion(taken: list[str], shipped_at: dict[str, datetime | None], p: Period) -> float | None:
    """Of the causes taken, the share whose fix shipped before the period's end."""
    shipped = [k for k in taken if (at := shipped_at.get(k)) is not None and at < p.end]
    return ratio(len(shipped), len(taken))


async def _first_tickets(session: AsyncSession, p: Period) -> list[Any]:
    """For causes whose root cause was found in P: their earliest ticket per surface."""
    stmt = (
        select(T.c.surface, T.c.cause_key, C.c.root_cause_at, func.min(T.c.created_at).label("first"))
        .select_from(T.join(C, T.c.cause_key == C.c.key))
        .where(within(C.c.root_cause_at, p))
        .group_by(T.c.surface, T.c.cause_key, C.c.root_cause_at)
    )
    return list((await session.execute(stmt)).all())


def _root_cause_hours(rows: Sequence[Any]) -> list[float]:
    """root_cause_at - the cause's earliest ticket in scope, in hours, as core computes it."""
    first: dict[str, tuple[datetime, datetime]] = {}
    for r in rows:
        if r.cause_key not in first or r.first < first[r.cause_key][1]:
            first[r.cause_key] = (r.root_cause_at, r.first)
    return [(found - start).total_seconds() / 3600 for found, start in first.values()]


async def _deflection(
    session: AsyncSession, p: Period, counts: Sequence[Any], memo: Memo | None
) -> dict[str, float | None]:
    """Sum over causes fixed before P of max(0, B - A), per scope; None when no such cause is in scope.

    A (tickets of the cause in P) is the w0 column of the per-cause counts; B's windows are counted here.
    """
    # A cause with no ticket in a scope adds max(0, 0 - 0) = 0 there: all a scope needs to know is whether
    # any fixed cause has a ticket in it at all (None, no data, otherwise). One probe per surface.
    fixed_before = T.join(C, T.c.cause_key == C.c.key)
    has = {
        s: bool((await session.execute(select(exists().select_from(fixed_before).where(
            T.c.surface == s, C.c.fix_shipped_at < p.start)))).scalar())
        for s in ("internal", "external")
    }  # fmt: skip
    # B's four periods before each fix are contiguous: one window [s - 4L, s) per cause fixed before P.
    baseline = await relative_counts(session, BASELINE_PERIODS * p.length, timedelta(0), p.start, memo)
    before = _per_scope((r.surface, r.cause, r.n) for r in baseline)
    now = _per_scope((r.surface, r.cause_key, r.w0) for r in counts)
    out: dict[str, float | None] = {}
    for s in SCOPES:
        in_scope = has["internal"] or has["external"] if s == "total" else has[s]
        # Only causes with B > 0 add anything; every term is a multiple of 1/4, so the sum is exact in
        # any order (core adds the same terms cause by cause).
        a = now[s]
        terms = (max(0.0, b / BASELINE_PERIODS - a.get(key, 0)) for key, b in before[s].items())
        out[s] = sum(terms, 0.0) if in_scope else None
    return out
