"""Store a ledger and check that the SQL KPIs equal the in-memory oracle on it."""

from __future__ import annotations

from sqlalchemy import insert

from adapters.db.kpi_sql import SqlKpis
from adapters.db.repositories import SqlRepositories
from adapters.db.tickets import TICKETS, ticket_values
from core.kpis import compute_kpis
from core.org import Org


async def store(repos: SqlRepositories, tickets, causes) -> None:  # type: ignore[no-untyped-def]
    async with repos.tickets._sessions.begin() as session:  # one bulk insert: the ledger has no messages
        await session.execute(insert(TICKETS), [ticket_values(t) for t in tickets])
    for c in causes:
        await repos.causes.save(c)


async def assert_same(repos: SqlRepositories, tickets, causes, periods, sla: Org) -> None:  # type: ignore[no-untyped-def]
    kpis = SqlKpis(repos.tickets._sessions)
    for period in periods:
        memory = compute_kpis(tickets, causes, period, sla_hours=sla.sla_for)
        sql = await kpis.report(period, sla_hours=sla.sla_for)
        for scope in ("total", "internal", "external"):
            assert getattr(sql, scope) == getattr(memory, scope), (period, scope)  # exact, not approx
        assert list(sql.total) == list(memory.total)  # same keys in the same order
