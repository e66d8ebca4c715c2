"""KPIs aggregated in SQL give exactly the numbers of core.kpis.compute_kpis on the same ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from adapters.db.digest_sql import SqlDigests
from adapters.db.kpi_sql import SqlKpis
from adapters.db.repositories import SqlRepositories
from adapters.db.tickets import TICKETS, ticket_values
from bench.kpis import START, synthetic
from core.digests import compose_digest
from core.kpis import Period, compute_kpis
from core.org import Org
from core.periods import last_full_week
from tests import test_digest, test_kpis


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


async def test_the_hand_computed_ledger_gives_identical_kpis(repos: SqlRepositories):
    tickets, causes = test_kpis.ledger(), test_kpis.causes()
    await store(repos, tickets, causes)
    periods = [
        test_kpis.P,
        test_kpis.P.shifted(1),
        test_kpis.P.shifted(-1),
        Period(test_kpis.P.start, test_kpis.P.end + timedelta(days=3)),
    ]
    await assert_same(repos, tickets, causes, periods, Org(sla_hours=test_kpis.SLA))


async def test_the_dst_week_and_an_empty_week_give_identical_kpis(repos: SqlRepositories):
    tickets, causes = test_digest.ledger(), test_digest.CAUSES
    await store(repos, tickets, causes)
    empty = Period(test_digest.at(6, 1, 0), test_digest.at(6, 8, 0))
    await assert_same(
        repos, tickets, causes, [test_digest.P, test_digest.P.shifted(1), empty], test_digest.ORG
    )


@pytest.mark.parametrize("seed", [7, 11])
async def test_a_random_ledger_gives_identical_kpis_week_after_week(repos: SqlRepositories, seed: int):
    tickets, causes = synthetic(1500, seed=seed)
    for t in tickets[::9]:
        t.agents.append("handoff")  # hand-offs break first-contact resolution
    for t in tickets[::13]:
        t.closed_at = t.reopened_at[0] + timedelta(hours=5) if t.reopened_at else None
    await store(repos, tickets, causes)
    weeks = [
        Period(START + timedelta(weeks=k), START + timedelta(weeks=k + 1)) for k in (0, 3, 9, 10, 19, 21)
    ]
    await assert_same(repos, tickets, causes, weeks, Org(sla_hours={"urgent": 4, "high": 24}))


async def test_the_sql_digest_matches_the_in_memory_digest(repos: SqlRepositories):
    tickets, causes = synthetic(1200, seed=5)
    await store(repos, tickets, causes)
    org = Org(sla_hours={"urgent": 4}, timezone="Europe/Berlin")
    period = last_full_week(START + timedelta(weeks=15), org.timezone)
    now = period.end + timedelta(hours=9)
    memory = compose_digest(tickets, causes, period, org=org, now=now)
    sql = await SqlDigests(repos.tickets._sessions).compose(period, org=org, now=now)
    assert sql.lines == memory.lines and sql.trend == memory.trend and sql.wins == memory.wins
    assert [(f.cause.key, f.before, f.now) for f in sql.fades] == [
        (f.cause.key, f.before, f.now) for f in memory.fades
    ]
    shape = [(r.cause.key, r.tickets, r.surfaces, r.open_tickets, r.evidence) for r in memory.top_causes]
    assert [(r.cause.key, r.tickets, r.surfaces, r.open_tickets, r.evidence) for r in sql.top_causes] == shape
    assert [r.impact for r in sql.top_causes] == pytest.approx(
        [r.impact for r in memory.top_causes], abs=0.011
    )
    assert sql.to_text() == memory.to_text()
