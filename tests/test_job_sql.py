"""Coaching candidates and SLA nudges selected in SQL pick exactly what the in-memory selection picks."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from adapters.db.claims import SqlJobClaims
from adapters.db.job_sql import SqlJobCandidates
from adapters.db.repositories import SqlRepositories
from bot.config import Schedule
from bot.scheduler import Scheduler
from core.coaching import CoachingPrompt, coaching_prompts
from core.org import Person, PersonRole
from core.periods import Period
from core.schedule import near_sla
from core.tickets import Judgement, Message, Priority, Resolution, Role, Status, Surface, Ticket
from tests.fakes import FakeClock, FakeNotifier, fake_desk, sample_org

WEEK = Period(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
AGENTS = ("ana", "ben", "cy", "dee", "eli")
NOTES = (
    "Tried a restart at 09:40; error 0x80070005 since this morning.",  # every specific: no penalty
    "Looked at it.",  # misses all three: -1
    "Checked the logs, fails with code 503.",  # misses the time only: no penalty
)


def org():  # type: ignore[no-untyped-def]
    base = sample_org()
    agents = tuple(
        Person(k, k.title(), frozenset({PersonRole.AGENT}), manager="mia" if i % 2 else "max")
        for i, k in enumerate(AGENTS)
    )
    people = (
        *[p for p in base.people if p.key not in AGENTS],
        *agents,
        Person("max", "Max", frozenset({PersonRole.MANAGER})),
    )
    return dataclasses.replace(base, people=people)


def coaching_ledger(rng: random.Random, n: int = 700) -> list[Ticket]:
    """Resolved tickets of five agents (and of nobody coached), in and around the week, every signal mixed."""
    out = []
    for i in range(n):
        created = WEEK.start - timedelta(days=3) + timedelta(minutes=rng.randrange(0, 13 * 24 * 60))
        agent = rng.choice((*AGENTS, "outsider"))
        agents = [agent] if rng.random() < 0.8 else ["zed", agent]
        t = Ticket(f"FX-C{i:05d}", rng.choice((Surface.INTERNAL, Surface.EXTERNAL)), created, agents=agents)
        t.messages = [Message(created, Role.REQUESTER, "emp", "VPN fails")]
        if rng.random() < 0.9:
            t.messages.append(Message(created + timedelta(minutes=5), Role.AGENT, agent, rng.choice(NOTES)))
        t.resolve(created + timedelta(hours=rng.randrange(1, 30)), Resolution.AGENT)
        t.status = Status.RESOLVED
        t.csat = rng.choice((None, None, 1, 2, 3, 4, 5))
        if rng.random() < 0.15:
            t.reopened_at = [t.resolved_at + timedelta(days=1)]
        if rng.random() < 0.25:
            t.escalated_at = created + timedelta(minutes=30)
            t.escalation_judgement = rng.choice((None, Judgement.NEEDED, Judgement.NOT_NEEDED))
        out.append(t)
    return out


def picks(prompts: list[CoachingPrompt]) -> list[tuple[str, str, object, object]]:
    def one(p):  # type: ignore[no-untyped-def]
        return None if p is None else (p.ticket.id, p.reasons, p.score)

    return [(p.manager, p.agent, one(p.strong), one(p.weak)) for p in prompts]


async def test_sql_coaching_candidates_give_the_same_prompts_as_the_whole_ledger(repos: SqlRepositories):
    rng, o = random.Random(7), org()
    tickets = coaching_ledger(rng)
    await repos.tickets.save_many(tickets)
    candidates = await SqlJobCandidates(repos.tickets._sessions).coaching_tickets(AGENTS, WEEK)
    expected = coaching_prompts(o, tickets, WEEK.start, WEEK.end)
    assert picks(coaching_prompts(o, candidates, WEEK.start, WEEK.end)) == picks(expected)
    assert sum(1 for p in expected if p.strong) >= 4 and sum(1 for p in expected if p.weak) >= 4
    in_week = [t for t in tickets if t.agent in AGENTS and WEEK.contains(t.resolved_at)]
    assert len(candidates) < len(in_week) / 2  # the point: most of the week's tickets are never loaded
    assert {t.id for t in candidates} <= {t.id for t in in_week}
    assert all(t.messages for t in candidates if t.id in {p[2][0] for p in picks(expected) if p[2]})


async def test_a_ticket_whose_notes_cost_it_the_top_spot_is_still_a_candidate(repos: SqlRepositories):
    start = WEEK.start + timedelta(hours=1)

    def resolved(tid: str, csat: int, note: str, agents: tuple[str, ...] = ("ana",)) -> Ticket:
        t = Ticket(
            tid,
            Surface.INTERNAL,
            start,
            agents=list(agents),
            csat=csat,
            messages=[Message(start, Role.AGENT, "ana", note)],
        )
        t.resolve(start + timedelta(hours=1), Resolution.AGENT)
        return t

    # FX-A signals 4 (CSAT 5, first contact) but its notes cost a point: 3. FX-B signals 3 (CSAT 5, a
    # hand-off) with good notes: 3, and wins the tie on its id. FX-C (2.5) cannot be picked, so SQL skips it.
    tickets = [
        resolved("FX-A", 5, NOTES[1]),
        resolved("FX-B", 5, NOTES[0], ("zed", "ana")),
        resolved("FX-C", 4, NOTES[0]),
    ]
    tickets += [resolved(f"FX-L{i:02d}", 1, NOTES[0]) for i in range(30)]  # the weak side, all alike
    await repos.tickets.save_many(tickets)
    candidates = await SqlJobCandidates(repos.tickets._sessions).coaching_tickets(["ana"], WEEK)
    [sql] = [p for p in coaching_prompts(org(), candidates, WEEK.start, WEEK.end) if p.agent == "ana"]
    [mem] = [p for p in coaching_prompts(org(), tickets, WEEK.start, WEEK.end) if p.agent == "ana"]
    assert sql.strong.ticket.id == mem.strong.ticket.id == "FX-B"
    assert sql.weak.ticket.id == mem.weak.ticket.id == "FX-L00"
    assert "FX-C" not in {t.id for t in candidates}


def sla_ledger(rng: random.Random, n: int = 400) -> list[Ticket]:
    """Open and resolved tickets of every priority and status, some exactly on the share and due bounds."""
    o, out = org(), []
    for i in range(n):
        priority = rng.choice(list(Priority))
        hours = o.sla_for(priority)
        age = timedelta(hours=hours) * rng.choice((0.1, 0.5, 0.79, 0.8, 0.81, 0.95, 0.999, 1.0, 1.2, 3))
        status = rng.choice(list(Status))
        t = Ticket(
            f"FX-S{i:05d}", Surface.INTERNAL, NOW - age, priority=priority, status=status, agents=["ana"]
        )
        if status == Status.RESOLVED:
            t.resolved_at = NOW
        out.append(t)
    return out


async def test_sql_sla_candidates_match_the_in_memory_selection_including_the_bounds(repos: SqlRepositories):
    o, tickets = org(), sla_ledger(random.Random(11))
    await repos.tickets.save_many(tickets)
    sql = SqlJobCandidates(repos.tickets._sessions)
    expected = [t.id for t, _ in near_sla([t for t in tickets if t.is_open], NOW, o.sla_for, 0.8)]
    assert len(expected) > 20
    got = await sql.near_sla(NOW, o.sla_for, 0.8)
    assert sorted(t.id for t in got) == sorted(expected)
    assert [t.id for t, _ in near_sla(got, NOW, o.sla_for, 0.8)] == expected
    soonest = await sql.near_sla(NOW, o.sla_for, 0.8, limit=5)
    assert [t.id for t, _ in near_sla(soonest, NOW, o.sla_for, 0.8)] == expected[:5]


async def test_the_scheduler_sends_coaching_and_nudges_from_the_sql_candidates(
    repos: SqlRepositories, engine
):
    notifier = FakeNotifier()
    desk = await fake_desk(org=org(), notifier=notifier)
    desk.tickets, desk.clock = repos.tickets, FakeClock(datetime(2026, 11, 16, 10, 5, tzinfo=UTC))
    await repos.tickets.save_many(coaching_ledger(random.Random(3), 200) + sla_ledger(random.Random(5), 60))
    schedules = (Schedule("coaching", "mon", "10:00"), Schedule("sla_nudge", "*", "every 15 min"))
    sched = Scheduler(desk, SqlJobClaims(engine), schedules, owner="r0", candidates=SqlJobCandidates(engine))
    assert await sched.run("coaching") == 2  # mia and max
    reference = Scheduler(desk, SqlJobClaims(engine), schedules, owner="r1")  # the in-memory selection
    mem_prompts = coaching_prompts(desk.org, await repos.tickets.list(), WEEK.start, WEEK.end)
    sent = {n.to: n.data["prompts"] for n in notifier.sent}
    assert sent == {
        f"person:{m}": [p.to_dict() for p in mem_prompts if p.manager == m] for m in ("mia", "max")
    }
    nudged = await sched.run("sla_nudge")
    near = near_sla(
        [t for t in await repos.tickets.list() if t.is_open], desk.clock.now(), desk.org.sla_for, 0.8
    )
    assert nudged == len(near) > 0 and await reference.run("sla_nudge") == 0
