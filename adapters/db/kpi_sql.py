"""Every KPI of DESIGN.md computed in SQL for large ledgers: the same numbers as core.kpis.compute_kpis.

Counts, per-cause and per-agent figures are aggregated by the database (GROUP BY surface, so one query
serves total, internal and external); only the durations a median or p90 needs, and the few rows with a
reopen, come back as values, and they are turned into hours with the very expressions core uses, so the
results are identical to the in-memory path, not merely close.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import SqlRepository
from adapters.db.kpi_sql_backlog import backlog_figures
from adapters.db.kpi_sql_base import SCOPES, Memo, T, count_if, scoped, spread, within
from adapters.db.kpi_sql_causes import cause_figures
from adapters.db.kpi_sql_fixes import fix_figures
from adapters.db.kpi_sql_resolved import resolved_figures
from adapters.db.kpi_sql_sla import sla_figures
from core.kpis import DEFAULT_SLA_HOURS, KPI_KEYS, KpiReport, Period
from core.stats import median, ratio


class SqlKpis(SqlRepository):
    """The KPI report aggregated in the database."""

    async def report(
        self,
        period: Period,
        *,
        sla_hours: Callable[[str], float] | None = None,
        top_n: int = 10,
        memo: Memo | None = None,
    ) -> KpiReport:
        """Every KPI for a period, in total and per surface (memo: window counts shared across calls)."""
        sla = sla_hours or (lambda _p: DEFAULT_SLA_HOURS)
        async with self._sessions() as session:
            parts = [
                await created_figures(session, period),
                await cause_figures(session, period, top_n, memo),
                await escalation_figures(session, period),
                await resolved_figures(session, period),
                await backlog_figures(session, period, sla),
                await fix_figures(session, period, memo),
                await sla_figures(session, period),
            ]
        columns = {s: {k: v for part in parts for k, v in part[s].items()} for s in SCOPES}
        out = {s: {k: columns[s][k] for k in KPI_KEYS} for s in SCOPES}
        return KpiReport(period, out["total"], out["internal"], out["external"])


async def created_figures(session: AsyncSession, p: Period) -> dict[str, dict[str, Any]]:
    """Coverage, bot deflection and first replies over tickets created in P."""
    bot = and_(T.c.resolution == "article", T.c.first_human_reply_at.is_(None))
    counts = (
        await session.execute(
            select(
                T.c.surface,
                func.count().label("n"),
                func.count(T.c.cause_key).label("caused"),
                count_if(bot).label("bot"),
            )
            .where(within(T.c.created_at, p))
            .group_by(T.c.surface)
        )
    ).all()
    replies = (
        await session.execute(
            select(T.c.surface, T.c.created_at, T.c.first_human_reply_at, T.c.first_bot_reply_at).where(
                within(T.c.created_at, p),
                or_(T.c.first_human_reply_at.is_not(None), T.c.first_bot_reply_at.is_not(None)),
            )
        )
    ).all()
    out = {}
    for s in SCOPES:
        c, r = scoped(counts, s), scoped(replies, s)
        human = [
            (x.first_human_reply_at - x.created_at).total_seconds() / 60 for x in r if x.first_human_reply_at
        ]
        bots = [(x.first_bot_reply_at - x.created_at).total_seconds() / 1 for x in r if x.first_bot_reply_at]
        out[s] = {
            "cause_coverage": ratio(sum(x.caused for x in c), sum(x.n for x in c)),
            "bot_deflection": int(sum(x.bot for x in c)),
            "first_response_minutes": spread(human),
            "bot_first_reply_seconds": {"median": median(bots)},
        }
    return out


async def escalation_figures(session: AsyncSession, p: Period) -> dict[str, dict[str, Any]]:
    """Escalation accuracy and the unjudged share over tickets escalated in P."""
    rows = (
        await session.execute(
            select(
                T.c.surface,
                func.count().label("n"),
                func.count(T.c.escalation_judgement).label("judged"),
                count_if(T.c.escalation_judgement == "needed").label("needed"),
            )
            .where(within(T.c.escalated_at, p))
            .group_by(T.c.surface)
        )
    ).all()
    out = {}
    for s in SCOPES:
        r = scoped(rows, s)
        n, judged, needed = (sum(getattr(x, k) for x in r) for k in ("n", "judged", "needed"))
        out[s] = {
            "escalation_accuracy": ratio(needed, judged),
            "escalations_unjudged_share": ratio(n - judged, n),
        }
    return out
