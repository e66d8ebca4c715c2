"""The tickets scheduled jobs look at, chosen in SQL: coaching candidates per agent, tickets near their SLA.

Both return a bounded superset of what the in-memory selection (core/coaching.py, core/schedule.py) would
pick, and core then picks from it, so the result is the same without loading the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from adapters.db.kpi_sql_base import T
from adapters.db.sla_sql import SqlSlaCandidates
from adapters.db.tickets import SqlTicketRepository
from core.periods import Period
from core.schedule import WAITING
from core.tickets import Judgement, Priority, Ticket

PER_AGENT = 50  # candidates per agent and side (strong, weak): far more than ever tie at the top or bottom
NUDGES = 200  # SLA nudges per tick; the rest go out on the next ticks, soonest due first


def signal_score() -> Any:
    """core.coaching._score without the notes check (a regex on messages): at most 1 above the real score."""
    reopened = func.json_array_length(T.c.reopened_at) > 0
    first_contact = (T.c.escalated_at.is_(None)) & ~reopened & (func.json_array_length(T.c.agents) <= 1)
    return (
        case((T.c.csat.is_not(None), (T.c.csat - 3) * 1.5), else_=0.0)
        + case((reopened, -3.0), else_=0.0)
        + case((first_contact, 1.0), else_=0.0)
        + case((T.c.escalation_judgement == Judgement.NOT_NEEDED.value, -2.0), else_=0.0)
        + case((T.c.escalation_judgement == Judgement.NEEDED.value, 1.0), else_=0.0)
    )


def coaching_ids(agents: Sequence[str], period: Period, per_agent: int = PER_AGENT) -> Any:
    """Ids of each agent's tickets resolved in the period that could be its strong or its weak pick.

    The notes check lowers a score by 1 at most, so the strong pick scores within 1 of the agent's best
    signal score and the weak pick within 1 of its worst; the rest cannot be picked.
    """
    score = signal_score().label("score")
    scored = (
        select(T.c.id, T.c.agent, score)
        .where(T.c.agent.in_(list(agents)), T.c.resolved_at >= period.start, T.c.resolved_at < period.end)
        .subquery()
    )
    agent = scored.c.agent
    ranked = select(
        scored.c.id,
        scored.c.score,
        func.max(scored.c.score).over(partition_by=agent).label("hi"),
        func.min(scored.c.score).over(partition_by=agent).label("lo"),
        func.row_number()
        .over(partition_by=agent, order_by=(scored.c.score.desc(), scored.c.id.desc()))
        .label("top"),
        func.row_number().over(partition_by=agent, order_by=(scored.c.score, scored.c.id)).label("bottom"),
    ).subquery()
    strong = (ranked.c.score >= ranked.c.hi - 1) & (ranked.c.top <= per_agent)
    weak = (ranked.c.score <= ranked.c.lo + 1) & (ranked.c.bottom <= per_agent)
    return select(ranked.c.id).where(strong | weak)


class SqlJobCandidates(SqlSlaCandidates):
    """Candidates for coaching prompts and SLA nudges, selected by the database."""

    async def coaching_tickets(self, agents: Sequence[str], period: Period) -> list[Ticket]:
        """The agents' tickets resolved in the period that may be picked as strong or weak, with messages."""
        if not agents:
            return []
        stmt = select(T).where(T.c.id.in_(coaching_ids(agents, period))).order_by(T.c.id)
        return await SqlTicketRepository(self._sessions).load(stmt)

    async def near_sla(
        self, now: datetime, sla_hours: Callable[[str], float], share: float, limit: int = NUDGES
    ) -> list[Ticket]:
        """Waiting tickets past `share` of their SLA target, not over it; soonest due first."""
        found: list[tuple[datetime, str]] = []
        for priority in Priority:
            target = timedelta(hours=sla_hours(priority.value))
            # created + target * share <= now < created + target, in the same integer microseconds as core.
            window = (T.c.created_at > now - target) & (T.c.created_at <= now - target * share)
            stmt = (
                select(T.c.id, T.c.created_at)
                .where(
                    T.c.priority == priority.value,
                    T.c.status.in_([s.value for s in WAITING]),
                    T.c.resolution_due_at.is_(None),  # a ticket with SLA clocks is watched by sla_watch
                    window,
                )
                .order_by(T.c.created_at, T.c.id)
                .limit(limit)
            )  # due order is created_at order within one priority, so per-priority limits keep the soonest
            async with self._sessions() as session:
                found += [(r.created_at + target, r.id) for r in (await session.execute(stmt)).all()]
        ids = [tid for _, tid in sorted(found)[:limit]]
        if not ids:
            return []
        stmt = select(T).where(T.c.id.in_(ids)).order_by(T.c.created_at, T.c.id)
        return await SqlTicketRepository(self._sessions).load(stmt)
