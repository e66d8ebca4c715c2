"""sla_breach_rate in SQL: the same numbers as core.kpi_sla, counted by the database.

One query per call, grouped by surface: for each target, tickets created in P whose stored deadline is
before `end`, and of those the ones whose target was met late or not at all. The first response is met at
the earlier of the first human reply and the first resolution (core.sla.met_at).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db.kpi_sql_base import SCOPES, T, count_if, scoped, within
from core.kpis import Period
from core.sla import Target
from core.stats import ratio


def _first_response_met() -> Any:
    """The earlier of first_human_reply_at and resolved_at, NULL when neither happened."""
    human, resolved = T.c.first_human_reply_at, T.c.resolved_at
    return case(
        (human.is_(None), resolved),
        (resolved.is_(None), human),
        (human <= resolved, human),
        else_=resolved,
    )


def _counts(due: Any, met: Any, p: Period) -> tuple[Any, Any]:
    """(deadlines before end, of which breached) as two aggregates over tickets created in P."""
    counted = and_(due.is_not(None), due < p.end)
    return count_if(counted), count_if(and_(counted, or_(met.is_(None), met > due)))


async def sla_figures(session: AsyncSession, p: Period) -> dict[str, dict[str, Any]]:
    """Per scope: sla_breach_rate {first_response, resolution}."""
    targets = {
        Target.FIRST_RESPONSE: (T.c.first_response_due_at, _first_response_met()),
        Target.RESOLUTION: (T.c.resolution_due_at, T.c.resolved_at),
    }
    columns = [T.c.surface]
    for target, (due, met) in targets.items():
        n, late = _counts(due, met, p)
        columns += [n.label(f"{target}_n"), late.label(f"{target}_late")]
    stmt = select(*columns).where(within(T.c.created_at, p)).group_by(T.c.surface)
    rows = (await session.execute(stmt)).all()
    out = {}
    for s in SCOPES:
        r = scoped(rows, s)
        rates = {
            str(t): ratio(sum(getattr(x, f"{t}_late") for x in r), sum(getattr(x, f"{t}_n") for x in r))
            for t in targets
        }
        out[s] = {"sla_breach_rate": rates}
    return out
