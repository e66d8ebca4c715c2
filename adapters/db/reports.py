"""SqlReports: the Reports port over the SQL aggregates, the one reporting path of every entry point.

Each figure is a few aggregate or bounded queries (kpi_sql, digest_sql), so its time and memory depend on
the period and the number of causes shown, not on the ledger's size.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from adapters.db._sql import SqlRepository
from adapters.db.digest_sql import SqlDigests, ranked_causes
from adapters.db.kpi_sql import SqlKpis
from adapters.db.kpi_sql_base import T
from core.causes import RankedCause
from core.digests import Digest
from core.kpis import KpiReport
from core.org import ImpactWeights, Org
from core.periods import Period
from core.tickets import Judgement


class SqlReports(SqlRepository):
    """KPIs, ranked causes, the digest and routing counts, aggregated by the database."""

    async def kpis(self, period: Period, *, sla_hours: Callable[[str], float]) -> KpiReport:
        """Every KPI of DESIGN.md for a period, total and per surface."""
        return await SqlKpis(self._sessions).report(period, sla_hours=sla_hours)

    async def ranked_causes(
        self, now: datetime, weights: ImpactWeights, *, limit: int | None = None
    ) -> list[RankedCause]:
        """Causes with tickets ranked by business impact at `now`, the first `limit` of them."""
        async with self._reading() as session:
            return await ranked_causes(session, None, now, weights, limit)

    async def digest(self, period: Period, *, org: Org, now: datetime) -> Digest:
        """The weekly digest document for a period."""
        return await SqlDigests(self._sessions).compose(period, org=org, now=now)

    async def needed_escalations(self, cause_key: str) -> dict[str, int]:
        """Per team, how many escalations of a cause's tickets to it were judged needed."""
        stmt = (
            select(T.c.escalated_to, func.count().label("n"))
            .where(
                T.c.cause_key == cause_key,
                T.c.escalated_to.is_not(None),
                T.c.escalation_judgement == Judgement.NEEDED.value,
            )
            .group_by(T.c.escalated_to)
        )
        async with self._reading() as session:
            return {r.escalated_to: int(r.n) for r in (await session.execute(stmt)).all()}
