"""Priority at intake, SLA clocks and deadlines, setting a priority in chat, and the SLA watch's nudges and
breach escalations (once, across replicas), on the fakes and on real job claims."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.claims import SqlJobClaims
from adapters.db.engine import make_engine
from adapters.db.job_sql import SqlJobCandidates
from adapters.db.repositories import SqlRepositories
from bot.config import Schedule
from bot.scheduler import Scheduler
from core.business_hours import BusinessHours
from core.errors import InvalidInput, NotAllowed
from core.messages import LogRequest
from core.priority import SetPriority
from core.sla import SlaPolicy
from core.sla_watch import LedgerSlaCandidates
from core.tickets import Priority, Status, Surface, Ticket
from tests.fakes import FakeClock, FakeNotifier, fake_desk, sample_org

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday
PRINTER = "the coffee machine in kitchen two leaks water"  # no article fits: it waits on a person


def org(**sla: object):  # type: ignore[no-untyped-def]
    policy = dataclasses.replace(SlaPolicy(), leads={"tier1": "mia"}, **sla)  # type: ignore[arg-type]
    return dataclasses.replace(sample_org(), sla=policy)


async def desk_with(**sla: object):  # type: ignore[no-untyped-def]
    desk = await fake_desk(org=org(**sla))
    desk.clock = FakeClock(NOW)
    return desk


def request(text: str, channel: str | None = None, user: str = "UEMP") -> LogRequest:
    return LogRequest("slack", user, text, thread_key=f"slack:D1:{abs(hash(text))}", channel=channel)


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("Big outage: the VPN is down for everyone", Priority.URGENT),
        ("URGENT please, my laptop will not boot", Priority.HIGH),
        ("not urgent, but the coffee machine leaks", Priority.NORMAL),
        ("the coffee machine leaks again", Priority.NORMAL),
    ],
)
async def test_intake_infers_the_priority_from_the_words(text: str, priority: Priority) -> None:
    desk = await desk_with()
    assert (await desk.log_request(request(text))).ticket.priority == priority


async def test_a_tier_raises_a_customer_channel_or_a_person_and_never_lowers() -> None:
    desk = await desk_with(tiers={"slack:CACME": Priority.HIGH, "ana": Priority.LOW})
    assert (await desk.log_request(request(PRINTER, channel="CACME"))).ticket.priority == Priority.HIGH
    assert (await desk.log_request(request("outage now", user="UANA"))).ticket.priority == Priority.URGENT


async def test_clocks_start_when_the_ticket_waits_on_a_person_with_targets_per_surface() -> None:
    desk = await desk_with(surfaces={"external": {"first_response": {"normal": 2.0}}})
    ticket = (await desk.log_request(request(PRINTER))).ticket
    assert ticket.status == Status.NEEDS_HUMAN and ticket.sla_started_at == NOW
    assert ticket.first_response_due_at == NOW + timedelta(hours=8)  # the built-in normal target
    assert ticket.resolution_due_at == NOW + timedelta(hours=72)  # sla_hours has no normal: 72
    outside = LogRequest("slack", "UEXT", PRINTER, thread_key="slack:C9:1", surface=Surface.EXTERNAL)
    external = (await desk.log_request(outside)).ticket
    assert external.first_response_due_at == NOW + timedelta(hours=2)


async def test_a_ticket_the_bot_answers_has_no_clock_until_the_requester_asks_for_a_person() -> None:
    desk = await desk_with()
    ticket = (await desk.log_request(request("VPN disconnects every few minutes"))).ticket
    assert ticket.status == Status.SUGGESTED and ticket.sla_started_at is None
    desk.clock.advance(hours=3)
    ticket = await desk.need_human(ticket.id, "UEMP")
    assert ticket.sla_started_at == NOW + timedelta(hours=3)
    assert ticket.first_response_due_at == NOW + timedelta(hours=11)


async def test_business_hours_move_the_deadline_over_the_weekend() -> None:
    hours = BusinessHours("UTC", frozenset(range(5)), time(9), time(17))
    desk = await desk_with(hours={"tier1": hours})
    desk.clock = FakeClock(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))  # Friday 15:00
    ticket = (await desk.log_request(request(PRINTER))).ticket
    assert ticket.first_response_due_at == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 15:00


async def test_an_agent_sets_the_priority_once_with_an_audit_entry_and_the_deadlines_follow() -> None:
    desk = await desk_with()
    ticket = (await desk.log_request(request(PRINTER))).ticket
    first = await desk.set_priority(SetPriority(ticket.id, "urgent", "UANA", platform="slack"))
    again = await desk.set_priority(SetPriority(ticket.id, "urgent", "UANA", platform="slack"))
    assert (first.changed, first.before, again.changed) == (True, Priority.NORMAL, False)
    stored = await desk.tickets.get(ticket.id)
    assert stored.priority == Priority.URGENT
    assert stored.first_response_due_at == NOW + timedelta(hours=1)
    assert stored.resolution_due_at == NOW + timedelta(hours=4)  # sla_hours.urgent
    entries = [e for e in await desk.audit.list() if e.action == "priority_set"]
    assert [(e.who, e.ticket_id, e.detail) for e in entries] == [("ana", ticket.id, "normal -> urgent")]


async def test_setting_a_priority_is_refused_to_non_agents_and_for_unknown_priorities() -> None:
    desk = await desk_with()
    ticket = (await desk.log_request(request(PRINTER))).ticket
    with pytest.raises(NotAllowed):
        await desk.set_priority(SetPriority(ticket.id, "urgent", "UEMP", platform="slack"))
    with pytest.raises(NotAllowed):  # a Slack id is not vouched for by Teams
        await desk.set_priority(SetPriority(ticket.id, "urgent", "UANA", platform="teams"))
    with pytest.raises(InvalidInput, match="not a priority"):
        await desk.set_priority(SetPriority(ticket.id, "blazing", "ana"))
    assert (await desk.tickets.get(ticket.id)).priority == Priority.NORMAL
    assert not await desk.audit.list()


SCHEDULES = (Schedule("sla_nudge", "*", "every 15 min"),)


async def test_a_nudge_before_the_deadline_and_the_lead_told_at_breach_each_once(engine: AsyncEngine) -> None:
    notifier = FakeNotifier()
    desk = await fake_desk(org=org(), notifier=notifier)
    desk.clock = FakeClock(NOW)
    ticket = (await desk.log_request(request(PRINTER))).ticket  # first response due in 8 h
    sched = Scheduler(desk, SqlJobClaims(engine), SCHEDULES, owner="r0")
    notifier.sent.clear()
    desk.clock.advance(hours=6)  # 75%: nothing yet
    assert await sched.run("sla_nudge") == 0
    desk.clock.advance(minutes=30)  # 81%
    assert await sched.run("sla_nudge") == 1
    assert await sched.run("sla_nudge") == 0  # not every tick
    desk.clock.advance(hours=2)  # past the deadline
    assert await sched.run("sla_nudge") == 1
    assert await sched.run("sla_nudge") == 0
    kinds = [(n.kind, n.to, n.data["target"]) for n in notifier.sent]
    assert kinds == [("sla_nudge", "triage", "first_response"), ("sla_breach", "person:mia", "first_response")]
    assert ticket.id in notifier.sent[1].text and "missed its first response target" in notifier.sent[1].text


async def test_a_reply_in_time_stops_the_first_response_clock(engine: AsyncEngine) -> None:
    notifier = FakeNotifier()
    desk = await fake_desk(org=org(), notifier=notifier)
    desk.clock = FakeClock(NOW)
    ticket = (await desk.log_request(request(PRINTER))).ticket
    await desk.agent_reply(ticket.id, "ana", "Looking at it")
    desk.clock.advance(hours=9)
    notifier.sent.clear()
    assert await Scheduler(desk, SqlJobClaims(engine), SCHEDULES, owner="r0").run("sla_nudge") == 0
    assert notifier.sent == []


async def test_eight_replicas_escalate_a_breach_once(db_url: str, engine: AsyncEngine) -> None:
    notifier = FakeNotifier()
    desk = await fake_desk(org=org(), notifier=notifier)
    desk.clock = FakeClock(NOW)
    await desk.log_request(request(PRINTER))
    desk.clock.advance(hours=9)
    notifier.sent.clear()
    replicas = [make_engine(db_url) for _ in range(8)]
    try:
        runs = [Scheduler(desk, SqlJobClaims(e), SCHEDULES, owner=f"r{i}") for i, e in enumerate(replicas)]
        sent = await asyncio.gather(*(s.run("sla_nudge") for s in runs))
    finally:
        for e in replicas:
            await e.dispose()
    assert sum(sent) == 1 and [n.kind for n in notifier.sent] == ["sla_breach"]


async def test_sql_picks_the_same_sla_candidates_as_the_ledger(repos: SqlRepositories, engine: AsyncEngine) -> None:
    base = NOW - timedelta(days=2)
    tickets = []
    for i in range(60):
        created = base + timedelta(hours=i)
        t = Ticket(f"FX-S{i:05d}", Surface.INTERNAL, created, status=[Status.NEEDS_HUMAN, Status.RESOLVED,
                   Status.IN_PROGRESS, Status.SUGGESTED][i % 4], sla_started_at=created,
                   first_response_due_at=created + timedelta(hours=1 + i % 5),
                   resolution_due_at=created + timedelta(hours=24 + i % 7))
        if i % 3 == 0:
            t.first_human_reply_at = created + timedelta(minutes=30)
        tickets.append(t)
        await repos.tickets.save(t)
    for since, until, limit in ((NOW - timedelta(days=1), NOW + timedelta(days=2), 200), (base, NOW, 7)):
        sql = await SqlJobCandidates(engine).sla_due(since, until, limit)
        memory = await LedgerSlaCandidates(repos.tickets).sla_due(since, until, limit)
        assert [t.id for t in sql] == [t.id for t in memory] and sql


async def test_the_typed_priority_command_moves_the_deadlines_as_the_picker_does() -> None:
    from core.agent_commands import parse

    desk = await desk_with()
    ticket = (await desk.log_request(request(PRINTER))).ticket
    cmd = parse(f"priority {ticket.id} urgent")
    assert cmd is not None
    done = await desk.front_line(cmd, "UANA", "slack", ref="slack:C0TRIAGE:1")
    stored = await desk.tickets.get(ticket.id)
    assert done.changed and stored.priority == Priority.URGENT
    assert stored.first_response_due_at == NOW + timedelta(hours=1)  # not the normal 8 hours any more
