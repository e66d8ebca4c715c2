"""The aggregated read paths at their edges equal the in-memory oracle exactly, on SQLite and PostgreSQL.

The backlog is counted in the database (open tickets, the middle ages, those past their SLA by a cut
computed in Python); the window counts of one digest are shared between its KPI periods and its trend.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from adapters.db.digest_sql import SqlDigests
from adapters.db.kpi_sql_backlog import age_hours, sla_cut
from adapters.db.kpi_sql_base import Memo, window_counts
from adapters.db.repositories import SqlRepositories
from bench.kpis import START, synthetic
from core.digests import compose_digest
from core.org import Org
from core.periods import Period, last_full_week
from core.tickets import Priority, Status, Surface, Ticket
from tests.kpi_sql_support import assert_same, store

END = datetime(2026, 3, 9, tzinfo=UTC)
P = Period(END - timedelta(weeks=1), END)
SLA = Org(sla_hours={"urgent": 4.0, "high": 1 / 3, "low": float("inf")})


def _open(id: str, surface: Surface, age: timedelta, priority: Priority, **fields: object) -> Ticket:
    return Ticket(id=id, surface=surface, created_at=END - age, priority=priority, **fields)  # type: ignore[arg-type]


def _backlog_ledger() -> list[Ticket]:
    """Open tickets exactly at their SLA target, a microsecond past it, and ones open by a reopen."""
    us, hour = timedelta(microseconds=1), timedelta(hours=1)
    out = [
        _open("at-urgent", Surface.INTERNAL, 4 * hour, Priority.URGENT),  # age == target: not over
        _open("past-urgent", Surface.INTERNAL, 4 * hour + us, Priority.URGENT),
        _open("at-high", Surface.EXTERNAL, hour / 3, Priority.HIGH),  # a target with no exact float
        _open("past-high", Surface.EXTERNAL, hour / 3 + us, Priority.HIGH),
        _open("low-never", Surface.EXTERNAL, timedelta(days=900), Priority.LOW),  # an infinite target
        _open("normal-72", Surface.INTERNAL, 72 * hour + 7 * us, Priority.NORMAL),
        _open("late-resolve", Surface.EXTERNAL, 2 * hour, Priority.NORMAL, resolved_at=END + hour),
        _open("reopened", Surface.INTERNAL, 30 * hour, Priority.HIGH, resolved_at=END - 20 * hour,
              reopened_at=[END - 10 * hour], status=Status.NEEDS_HUMAN),
        _open("reopened-after", Surface.INTERNAL, 30 * hour, Priority.HIGH, resolved_at=END - 20 * hour,
              reopened_at=[END + hour], status=Status.RESOLVED),
        _open("closed-again", Surface.EXTERNAL, 30 * hour, Priority.HIGH, resolved_at=END - 20 * hour,
              reopened_at=[END - 10 * hour], closed_at=END - 5 * hour),
        _open("future", Surface.INTERNAL, -hour, Priority.URGENT),
    ]  # fmt: skip
    return out


async def test_the_backlog_counted_in_sql_is_the_oracles_at_every_sla_boundary(repos: SqlRepositories):
    tickets = _backlog_ledger()
    await store(repos, tickets, [])
    # Odd and even counts per scope (internal 4, external 4, total 8 open at END; fewer a day before).
    periods = [P, Period(P.start - timedelta(days=1), END - timedelta(days=1)), Period(END, END + timedelta(days=1))]
    await assert_same(repos, tickets, [], periods, SLA)


def test_the_sla_cut_is_the_exact_boundary_of_cores_float_comparison():
    rng = random.Random(3)
    for _ in range(300):
        end = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=rng.randrange(10**13))
        target = rng.choice([rng.uniform(0, 500), rng.randrange(1, 200) / 3, float(rng.randrange(0, 100))])
        cut = sla_cut(end, target)
        assert cut is not None
        assert age_hours(end, cut) > target >= age_hours(end, cut + timedelta(microseconds=1))
        assert (end - cut).total_seconds() / 3600 > target  # core's own expression
    assert sla_cut(END, float("inf")) is None and sla_cut(END, float("nan")) is None


async def test_shared_window_counts_equal_counting_each_window_alone(repos: SqlRepositories):
    tickets, causes = synthetic(600, seed=9)
    await store(repos, tickets, causes)
    rng, keys = random.Random(4), [c.key for c in causes]
    windows = []
    for i in range(60):
        a = START + timedelta(hours=rng.randrange(0, 24 * 70))
        windows.append((f"w{i}", rng.choice(keys), a, a + timedelta(days=rng.choice([7, 28]))))
    windows += [("again", *windows[0][1:])]  # one window asked twice under two tags
    async with repos.tickets._sessions() as session:
        memo = Memo()
        await window_counts(session, windows[:40], memo)
        shared = await window_counts(session, windows, memo)  # the first 40 come from the memo
        alone = await window_counts(session, windows)
    expected = {
        (tag, s): n
        for tag, key, a, b in windows
        for s in ("internal", "external")
        if (n := sum(1 for t in tickets if t.cause_key == key and a <= t.created_at < b and t.surface == s))
    }
    for counted in (shared, alone):
        assert {(c.tag, c.surface): c.n for c in counted} == expected
        assert len(counted) == len(expected)


async def test_the_digest_with_shared_windows_matches_the_oracle_across_a_dst_change(repos: SqlRepositories):
    tickets, causes = synthetic(1500, seed=13)
    await store(repos, tickets, causes)
    org = Org(sla_hours={"urgent": 4}, timezone="Europe/Berlin")
    for weeks in (10, 17):  # a trend of 7-day weeks, and one holding the 167-hour week of March 29
        period = last_full_week(START + timedelta(weeks=weeks), org.timezone)
        now = period.end + timedelta(hours=9)
        memory = compose_digest(tickets, causes, period, org=org, now=now)
        sql = await SqlDigests(repos.tickets._sessions).compose(period, org=org, now=now)
        assert sql.trend == memory.trend and sql.wins == memory.wins and sql.lines == memory.lines
        assert [(f.cause, f.before, f.now) for f in sql.fades] == [(f.cause, f.before, f.now) for f in memory.fades]
        assert sql.more_fades == memory.more_fades
        assert sql.to_text() == memory.to_text()
