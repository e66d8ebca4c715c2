"""Resolution, CSAT, knowledge reuse and consistency KPIs in SQL (durations come back as values)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.db._sql import from_iso
from adapters.db.kpi_sql_base import SCOPES, T, count_if, scoped, spread, within
from core.kpis import MANY_SOLVES, MIN_AGENT_TICKETS, REOPEN_WINDOW, Period
from core.stats import pstdev, ratio

# Reopen stamps travel as JSON text only for the few rows that have any.
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
