"""Every read path answers from SQL exactly what the in-memory oracle answers, and none loads every ticket.

The oracle is core's own arithmetic (core.kpis, core.causes.rank_causes, core.digests.compose_digest) over
the hand-computed ledgers of test_kpis and test_digest; the SQL side is the Reports port every entry point
(CLI, Slack, Teams, App Home, the terminal chat) reads through the Desk.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from adapters.db.repositories import SqlRepositories
from adapters.db.tickets import SqlTicketRepository
from core.causes import Cause, rank_causes
from core.digests import compose_digest
from core.kpis import compute_kpis
from core.periods import Period
from core.tickets import Status, Ticket
from tests import digest_ledger, kpi_ledger
from tests.fakes import FakeStores, OracleReports
from tests.kpi_sql_support import store
from tests.uow_support import sql_desk

LEDGERS = {
    "kpis": (kpi_ledger.ledger, kpi_ledger.causes, kpi_ledger.P),
    "digest": (digest_ledger.ledger, lambda: digest_ledger.CAUSES, digest_ledger.P),
}


def _queued(tickets: list[Ticket]) -> list[Ticket]:
    """Some open tickets wait for a person, so the queue has something to show."""
    for t in [t for t in tickets if t.is_open][:3]:
        t.status = Status.NEEDS_HUMAN
    return tickets


async def _loaded(repos: SqlRepositories, name: str) -> tuple[list[Ticket], list[Cause], Period]:
    make_tickets, make_causes, period = LEDGERS[name]
    tickets, causes = _queued(make_tickets()), make_causes()
    await store(repos, tickets, causes)
    return tickets, causes, period


def _shape(ranked: list[Any]) -> list[Any]:
    return [(r.cause.key, r.tickets, r.impact, r.surfaces, r.open_tickets, r.evidence) for r in ranked]


@pytest.mark.parametrize("name", LEDGERS)
async def test_the_reports_port_gives_the_oracles_kpis_ranking_digest_and_routing_counts(
    repos: SqlRepositories, name: str
):
    tickets, causes, period = await _loaded(repos, name)
    stores = FakeStores()
    await stores.tickets.save_many(tickets)
    for c in causes:
        await stores.causes.save(c)
    oracle, sql, org = OracleReports(stores), repos.reports, digest_ledger.ORG
    for p in (period, period.shifted(1), period.shifted(-1)):
        assert await sql.kpis(p, sla_hours=org.sla_for) == await oracle.kpis(p, sla_hours=org.sla_for)
    now = period.end + timedelta(hours=9)
    whole = _shape(await oracle.ranked_causes(now, org.weights))
    assert len(whole) >= 2
    for limit in (None, 1, 2):
        assert _shape(await sql.ranked_causes(now, org.weights, limit=limit)) == whole[:limit]
    digest = await sql.digest(period, org=org, now=now)
    assert digest.to_text() == (await oracle.digest(period, org=org, now=now)).to_text()
    for c in causes:
        assert await sql.needed_escalations(c.key) == await oracle.needed_escalations(c.key)


async def test_every_desk_read_path_over_sql_matches_the_oracle_on_the_hand_computed_ledger(
    repos: SqlRepositories,
):
    tickets, causes, period = await _loaded(repos, "kpis")
    desk = sql_desk(repos)
    now = desk.clock.now()
    report = await desk.kpis(period)
    assert report == compute_kpis(tickets, causes, period, sla_hours=desk.org.sla_for)
    ranked = rank_causes(causes, tickets, now=now, weights=desk.org.weights)
    assert _shape(await desk.ranked_causes(limit=5)) == _shape(ranked[:5])
    assert _shape(await desk.ranked_causes()) == _shape(ranked)
    memory = compose_digest(tickets, causes, period, org=desk.org, now=now)
    assert (await desk.digest(period)).to_text() == memory.to_text()
    waiting = sorted((t for t in tickets if t.status == Status.NEEDS_HUMAN), key=lambda t: t.created_at)
    assert waiting and [t.id for t in await desk.queue()] == [t.id for t in waiting]
    assert [t.id for t in await desk.queue(limit=1)] == [waiting[0].id]


async def test_the_owner_suggestion_counts_needed_escalations_of_the_cause(repos: SqlRepositories):
    tickets, causes, _ = await _loaded(repos, "kpis")
    desk = sql_desk(repos)
    caused = next(t for t in tickets if t.cause_key and not desk.org.owner_of(t.cause_key))
    needed = Counter(
        t.escalated_to for t in tickets
        if t.cause_key == caused.cause_key and t.escalated_to and t.escalation_judgement == "needed"
    )
    suggestion = await desk.suggest_owner(caused.id)
    if needed and desk.org.team(needed.most_common(1)[0][0]):
        assert suggestion.team == needed.most_common(1)[0][0]
    assert await repos.reports.needed_escalations(caused.cause_key or "") == dict(needed)


async def test_no_read_path_loads_every_ticket(repos: SqlRepositories, monkeypatch: pytest.MonkeyPatch):
    tickets, _, period = await _loaded(repos, "kpis")
    unbounded: list[dict[str, Any]] = []
    original = SqlTicketRepository.list

    async def watched(self: SqlTicketRepository, **kwargs: Any) -> list[Ticket]:
        # A bounded read has a LIMIT, or a filter an index narrows to a period or a person.
        if kwargs.get("limit") is None and not {"resolved_since", "requester", "ticket_id"} & set(kwargs):
            unbounded.append(kwargs)
        return await original(self, **kwargs)

    monkeypatch.setattr(SqlTicketRepository, "list", watched)
    desk = sql_desk(repos)
    caused = next(t for t in tickets if t.cause_key)
    await desk.kpis(period)
    await desk.ranked_causes(limit=10)
    await desk.digest(period)
    await desk.coaching(period)
    await desk.queue()
    await desk.my_tickets("ana")
    await desk.triage_context(caused.id)
    await desk.suggest_owner(caused.id)
    assert unbounded == []
