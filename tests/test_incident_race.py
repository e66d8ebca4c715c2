"""Two workers opening the incident of one cause at the same moment make one incident (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.db.tables import OutboxRow, table_of
from bot.wiring import incident_rules
from core.errors import Conflict
from core.incidents import Incident, IncidentPolicy
from core.messages import LogRequest
from core.tickets import Status, Surface, Ticket
from tests.incident_support import OUTAGE, history
from tests.uow_support import sql_desk

OUTBOX = table_of(OutboxRow)


@pytest.fixture
async def desk(repos):  # type: ignore[no-untyped-def]
    """A Desk over the SQL stores with the default incident rule, some history, and four reports in."""
    desk = sql_desk(repos)
    desk.incidents, desk.incident_rules = repos.incidents, incident_rules(IncidentPolicy())
    for t in history():
        await repos.tickets.save(t)
    now = desk.clock.now()
    for n, text in enumerate(OUTAGE[:4]):
        at = now - timedelta(minutes=4 - n)
        await repos.tickets.save(
            Ticket(
                id=f"FX-OUT00{n}",
                surface=Surface.INTERNAL,
                created_at=at,
                requester=f"U0REQ{n}",
                subject=text,
                text=text,
                status=Status.SUGGESTED,
            )
        )
    return desk


async def test_two_reports_at_once_open_one_incident_with_every_ticket(desk, repos, engine):
    reports = [
        LogRequest(
            "slack",
            f"U0REQ{n}",
            OUTAGE[n],
            thread_key=f"slack:D{n}:1.{n}",
            chat={"channel": f"D{n}", "thread_ts": f"1.{n}"},
            message_ref=f"1.{n}",
        )
        for n in (4, 5)
    ]
    await asyncio.gather(*(desk.log_request(r) for r in reports))
    incidents = await repos.incidents.of_cause("incident-fx-out000")
    assert len(incidents) == 1 and len(incidents[0].links) == 6
    async with engine.connect() as conn:
        keys = (
            await conn.execute(select(OUTBOX.c.key).where(OUTBOX.c.key.like("notice:incident-known:%")))
        ).scalars()
        assert len(set(keys)) == 6  # each requester told once


async def test_the_second_opener_of_a_cause_loses_on_the_unique_key(desk, repos):
    now = desk.clock.now()
    late = repos.unit_of_work()
    async with late:
        assert await late.incidents.open_for_cause("vpn") is None  # read before the other one committed
        first = repos.unit_of_work()
        async with first:
            await first.incidents.add(Incident("INC-AAAAA", "vpn", "VPN down", now))
            await first.commit()
        with pytest.raises(Conflict):
            await late.incidents.add(Incident("INC-BBBBB", "vpn", "VPN down", now))
    assert [i.id for i in await repos.incidents.of_cause("vpn")] == ["INC-AAAAA"]
