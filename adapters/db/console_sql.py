"""What the console shows beyond the digest's figures, aggregated in SQL: per cause, per team, per agent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from adapters.db._sql import SqlRepository
from adapters.db.causes import to_cause
from adapters.db.digest_sql import ranked_causes
from adapters.db.kpi_sql_base import C, T, count_if, spread, within
from adapters.db.tables import EscalationRow, table_of
from core.causes import Cause, RankedCause
from core.org import ImpactWeights
from core.periods import Period
from core.stats import ratio

E = table_of(EscalationRow)
TICKET_COLUMNS = (
    T.c.id,
    T.c.created_at,
    T.c.surface,
    T.c.status,
    T.c.priority,
    T.c.subject,
    T.c.agent,
    T.c.platform,
    T.c.chat,
    T.c.cause_key,
    T.c.escalated_to,
    T.c.resolved_at,
)


@dataclass(frozen=True)
class TeamFigures:
    """Escalations to one owning team in a period, and how fast it found root causes."""

    team: str
    escalated: int
    judged: int
    needed: int
    root_causes: int
    ttrc: dict[str, float | None]

    @property
    def accuracy(self) -> float | None:
        """Judged needed / judged, as escalation_accuracy."""
        return ratio(self.needed, self.judged)

    @property
    def unjudged_share(self) -> float | None:
        """Not judged / escalated, as escalations_unjudged_share."""
        return ratio(self.escalated - self.judged, self.escalated)


class SqlConsole(SqlRepository):
    """The console's reads; every one a few aggregate queries, whatever the ledger's size."""

    async def causes(self, now: datetime, weights: ImpactWeights) -> list[RankedCause]:
        """Every cause with tickets, ranked by impact at `now` (the ranking `fixloop causes` prints)."""
        async with self._sessions() as session:
            return await ranked_causes(session, None, now, weights)

    async def cause(self, key: str) -> Cause | None:
        """One cause by key."""
        async with self._sessions() as session:
            row = (await session.execute(select(C).where(C.c.key == key))).first()
        return to_cause(row._mapping) if row else None

    async def weekly_counts(self, key: str, weeks: Sequence[Period]) -> list[int]:
        """Tickets of a cause created in each week."""
        bucket = case(
            *((T.c.created_at >= w.start, i) for i, w in reversed(list(enumerate(weeks)))), else_=-1
        )
        stmt = (
            select(bucket.label("b"), func.count().label("n"))
            .where(T.c.cause_key == key, T.c.created_at >= weeks[0].start, T.c.created_at < weeks[-1].end)
            .group_by("b")
        )
        async with self._sessions() as session:
            found = {int(r.b): int(r.n) for r in (await session.execute(stmt)).all()}
        return [found.get(i, 0) for i in range(len(weeks))]

    async def tickets(
        self,
        *,
        cause: str | None = None,
        agents: frozenset[str] | None = None,
        period: Period | None = None,
        limit: int = 500,
    ) -> list[Any]:
        """Tickets, newest first: of a cause, of some agents (None: anyone's), created in a period."""
        stmt = select(*TICKET_COLUMNS).order_by(T.c.created_at.desc(), T.c.id).limit(limit)
        if cause is not None:
            stmt = stmt.where(T.c.cause_key == cause)
        if agents is not None:
            stmt = stmt.where(T.c.agent.in_(sorted(agents)))
        if period is not None:
            stmt = stmt.where(within(T.c.created_at, period))
        async with self._sessions() as session:
            return list((await session.execute(stmt)).all())

    async def escalations(self, cause: str) -> list[Any]:
        """The escalations of a cause's tickets, newest first, with their judgements."""
        stmt = (
            select(
                E.c.id,
                E.c.ticket_id,
                E.c.from_agent,
                E.c.to_team,
                E.c.created_at,
                E.c.judgement,
                E.c.judged_by,
                E.c.judged_at,
            )
            .select_from(E.join(T, T.c.id == E.c.ticket_id))
            .where(T.c.cause_key == cause)
            .order_by(E.c.created_at.desc(), E.c.id)
        )
        async with self._sessions() as session:
            return list((await session.execute(stmt)).all())

    async def teams(self, period: Period) -> list[TeamFigures]:
        """Per owning team: tickets escalated to it in the period and their judgements; time to root cause."""
        judged = (
            select(
                T.c.escalated_to.label("team"),
                func.count().label("n"),
                func.count(T.c.escalation_judgement).label("judged"),
                count_if(T.c.escalation_judgement == "needed").label("needed"),
            )
            .where(within(T.c.escalated_at, period))
            .group_by(T.c.escalated_to)
        )
        first = (
            select(C.c.owner, C.c.key, C.c.root_cause_at, func.min(T.c.created_at).label("first"))
            .select_from(T.join(C, T.c.cause_key == C.c.key))
            .where(within(C.c.root_cause_at, period))
            .group_by(C.c.owner, C.c.key, C.c.root_cause_at)
        )
        async with self._sessions() as session:
            counts = (await session.execute(judged)).all()
            found = (await session.execute(first)).all()
        hours: dict[str, list[float]] = defaultdict(list)
        for r in found:
            hours[r.owner or "(no owner)"].append((r.root_cause_at - r.first).total_seconds() / 3600)
        by_team = {r.team or "(no team)": r for r in counts}
        return [
            TeamFigures(
                team,
                int(by_team[team].n) if team in by_team else 0,
                int(by_team[team].judged) if team in by_team else 0,
                int(by_team[team].needed) if team in by_team else 0,
                len(hours.get(team, [])),
                spread(hours.get(team, [])),
            )
            for team in sorted(set(by_team) | set(hours))
        ]
