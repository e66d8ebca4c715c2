"""KPIs aggregated in SQL give exactly the numbers of core.kpis.compute_kpis on the same ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.db.digest_sql import SqlDigests
from adapters.db.repositories import SqlRepositories
from bench.kpis import START, synthetic
from core.digests import compose_digest
from core.kpis import Period
from core.org import Org
from core.periods import last_full_week
from tests import digest_ledger, kpi_ledger
from tests.kpi_sql_support import assert_same, store


async def test_the_hand_computed_ledger_gives_identical_kpis(repos: SqlRepositories):
    tickets, causes = kpi_ledger.ledger(), kpi_ledger.causes()
    await store(repos, tickets, causes)
    periods = [
        kpi_ledger.P,
        kpi_ledger.P.shifted(1),
        kpi_ledger.P.shifted(-1),
        Period(kpi_ledger.P.start, kpi_ledger.P.end + timedelta(days=3)),
    ]
    await assert_same(repos, tickets, causes, periods, Org(sla_hours=kpi_ledger.SLA))


async def test_the_dst_week_and_an_empty_week_give_identical_kpis(repos: SqlRepositories):
    tickets, causes = digest_ledger.ledger(), digest_ledger.CAUSES
    await store(repos, tickets, causes)
    empty = Period(digest_ledger.at(6, 1, 0), digest_ledger.at(6, 8, 0))
    await assert_same(
        repos, tickets, causes, [digest_ledger.P, digest_ledger.P.shifted(1), empty], digest_ledger.ORG
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
    assert sql.more_fades == memory.more_fades
    shape = [(r.cause.key, r.tickets, r.surfaces, r.open_tickets, r.evidence) for r in memory.top_causes]
    assert [(r.cause.key, r.tickets, r.surfaces, r.open_tickets, r.evidence) for r in sql.top_causes] == shape
    assert [r.impact for r in sql.top_causes] == pytest.approx(
        [r.impact for r in memory.top_causes], abs=0.011
    )
    assert sql.to_text() == memory.to_text()
