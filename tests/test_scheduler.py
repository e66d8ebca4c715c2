"""The scheduler: exactly once across replicas, catch-up after downtime, retry of a dead poster's claim."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.claims import SqlJobClaims
from adapters.db.engine import make_engine
from bot.config import Schedule
from bot.scheduler import Scheduler, desk_composer
from core.coaching import Review
from core.schedule import JobPolicy
from core.tickets import Priority, Resolution, Status, Surface, Ticket
from tests.fakes import FakeClock, FakeNotifier, fake_desk, sample_org

BERLIN = "Europe/Berlin"
SCHEDULES = (
    Schedule("digest", "mon", "09:00"),
    Schedule("coaching", "mon", "10:00"),
    Schedule("sla_nudge", "*", "every 15 min"),
)
FIRE = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # Mon 09:00 in Berlin (CET)
LAST_WEEK = datetime(2026, 11, 8, 23, 0, tzinfo=UTC)  # Mon 2026-11-09 00:00 in Berlin


async def desk_at(now: datetime, notifier: FakeNotifier | None = None):  # type: ignore[no-untyped-def]
    desk = await fake_desk(org=dataclasses.replace(sample_org(), timezone=BERLIN), notifier=notifier)
    desk.clock = FakeClock(now)
    return desk


def scheduler(desk, claims, owner: str = "r0") -> Scheduler:  # type: ignore[no-untyped-def]
    return Scheduler(desk, claims, SCHEDULES, compose=desk_composer(desk, chart=False), owner=owner)


async def test_eight_concurrent_schedulers_post_the_digest_exactly_once(db_url: str, engine: AsyncEngine):
    notifier = FakeNotifier()
    replicas = [make_engine(db_url) for _ in range(8)]
    try:
        desk = await desk_at(FIRE, notifier)  # the replicas differ by their connections and names
        runs = [scheduler(desk, SqlJobClaims(e), owner=f"r{i}") for i, e in enumerate(replicas)]
        sent = await asyncio.gather(*(s.run("digest") for s in runs))
    finally:
        for e in replicas:
            await e.dispose()
    assert sorted(sent) == [0] * 7 + [1]
    assert notifier.kinds() == ["digest"] and notifier.sent[0].to == "leaders"
    assert notifier.sent[0].data["digest"]["from"] == LAST_WEEK.isoformat()
    assert await SqlJobClaims(engine).posted_at("digest", LAST_WEEK) == FIRE


async def test_a_replica_that_was_down_at_fire_time_catches_up_when_it_starts(engine: AsyncEngine):
    notifier = FakeNotifier()
    desk = await desk_at(FIRE + timedelta(hours=3), notifier)  # started at 12:00, three hours late
    sched = Scheduler(desk, SqlJobClaims(engine), SCHEDULES, owner="late")
    sched.start()
    try:
        for _ in range(200):
            if "digest" in notifier.kinds():
                break
            await asyncio.sleep(0.05)
    finally:
        sched.stop()
    digest = next(n for n in notifier.sent if n.kind == "digest")
    assert digest.data["digest"]["from"] == LAST_WEEK.isoformat()
    assert digest.data["chart_png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert await sched.run("digest") == 0  # a second start, or the next sweep, posts nothing more


async def test_a_run_missed_by_more_than_the_catch_up_window_is_not_sent_late(engine: AsyncEngine):
    notifier = FakeNotifier()
    desk = await desk_at(FIRE + timedelta(days=2), notifier)
    assert await scheduler(desk, SqlJobClaims(engine)).run("digest") == 0
    assert notifier.sent == []


async def test_an_expired_claim_of_a_dead_poster_is_retried(engine: AsyncEngine):
    claims, notifier = SqlJobClaims(engine), FakeNotifier()
    assert await claims.claim("digest", LAST_WEEK, "dead", JobPolicy().lease, now=FIRE)
    desk = await desk_at(FIRE + timedelta(minutes=1), notifier)
    sched = scheduler(desk, claims)
    assert await sched.run("digest") == 0 and notifier.sent == []  # still leased by the dead replica
    desk.clock.advance(minutes=10)
    assert await sched.sweep() == {
        "digest": 1, "coaching": 0, "recluster": 0, "review_follow_up": 0, "fix_tracking": 0
    }
    assert notifier.kinds() == ["digest"]


async def test_a_failed_post_is_not_marked_posted_and_goes_out_on_a_later_tick(engine: AsyncEngine):
    claims, notifier = SqlJobClaims(engine), FakeNotifier(fail=True)
    desk = await desk_at(FIRE, notifier)
    sched = scheduler(desk, claims)
    assert await sched.run("digest") == 0
    assert await claims.posted_at("digest", LAST_WEEK) is None
    notifier.fail = False
    desk.clock.advance(minutes=11)
    assert await sched.run("digest") == 1
    assert await claims.posted_at("digest", LAST_WEEK) == desk.clock.now()


async def test_coaching_prompts_go_once_to_each_manager(engine: AsyncEngine):
    notifier = FakeNotifier()
    desk = await desk_at(FIRE + timedelta(hours=1), notifier)
    good = Ticket("FX-GOOD", Surface.INTERNAL, LAST_WEEK + timedelta(hours=9), agents=["ana"], csat=5)
    good.resolve(good.created_at + timedelta(hours=1), Resolution.AGENT)
    await desk.tickets.add(good)
    sched = scheduler(desk, SqlJobClaims(engine))
    assert await sched.run("coaching") == 1
    assert await sched.run("coaching") == 0
    [notice] = notifier.sent
    assert notice.kind == "coaching" and notice.to == "person:mia"
    prompts = {p["agent"]: p for p in notice.data["prompts"]}
    assert (
        prompts["ana"]["strong"]["ticket_id"] == "FX-GOOD"
        and "CSAT 5/5" in prompts["ana"]["strong"]["reasons"]
    )
    assert notice.data["template"][0] == "What happened"


async def test_sla_nudges_post_a_ticket_near_its_target_once_not_every_tick(engine: AsyncEngine):
    notifier = FakeNotifier()
    desk = await desk_at(FIRE, notifier)
    near = Ticket(
        "FX-NEAR",
        Surface.INTERNAL,
        FIRE - timedelta(hours=3, minutes=30),
        priority=Priority.URGENT,
        status=Status.NEEDS_HUMAN,
    )  # urgent: 4 h SLA, 3.5 h old
    fresh = Ticket(
        "FX-FRESH",
        Surface.INTERNAL,
        FIRE - timedelta(hours=1),
        priority=Priority.URGENT,
        status=Status.NEEDS_HUMAN,
    )
    waiting_on_requester = Ticket(
        "FX-SUGG", Surface.INTERNAL, near.created_at, priority=Priority.URGENT, status=Status.SUGGESTED
    )
    for t in (near, fresh, waiting_on_requester):
        await desk.tickets.add(t)
    sched = scheduler(desk, SqlJobClaims(engine))
    assert await sched.run("sla_nudge") == 1
    desk.clock.advance(minutes=15)
    assert await sched.run("sla_nudge") == 0
    [notice] = notifier.sent
    assert (notice.kind, notice.to, notice.ticket_id) == ("sla_nudge", "triage", "FX-NEAR")
    assert "15 min" in notice.text or "30 min" in notice.text


async def test_a_review_gets_one_follow_up_a_week_later(engine: AsyncEngine):
    notifier = FakeNotifier()
    desk = await desk_at(FIRE, notifier)
    review = Review(
        "REV-1",
        "FX-1",
        "ana",
        "mia",
        "a",
        "b",
        "c",
        "Write down the error code",
        created_at=FIRE - timedelta(days=7, hours=1),
        follow_up_at=FIRE - timedelta(hours=1),
    )
    await desk.reviews.save(review)
    await desk.reviews.save(dataclasses.replace(review, id="REV-2", follow_up_at=FIRE + timedelta(days=1)))
    sched = scheduler(desk, SqlJobClaims(engine))
    assert await sched.run("review_follow_up") == 1
    assert await sched.run("review_follow_up") == 0
    [notice] = notifier.sent
    assert notice.to == "person:mia" and "Write down the error code" in notice.text


@pytest.mark.parametrize("job", ["digest", "coaching", "sla_nudge", "review_follow_up"])
async def test_a_job_that_raises_is_logged_and_does_not_stop_the_scheduler(job: str, engine: AsyncEngine):
    desk = await desk_at(FIRE, FakeNotifier())
    sched = scheduler(desk, SqlJobClaims(engine))

    async def boom() -> int:
        raise RuntimeError("database went away")

    sched.registry[job] = boom
    assert await sched.run(job) == 0


async def test_the_weekly_reclustering_runs_once_off_the_event_loop_and_tells_the_leaders(
    db_url: str, engine: AsyncEngine
):
    from adapters.search.clustering import WardClusterer
    from tests.cause_support import TOPICS, ticket

    notifier = FakeNotifier()
    desk = await desk_at(datetime(2026, 11, 15, 21, 5, tzinfo=UTC), notifier)  # Sun 22:05 in Berlin
    desk.clusterer = WardClusterer()
    for i, text in enumerate(t for ts in TOPICS.values() for t in ts):
        await desk.tickets.add(ticket(i, text))
    schedules = (*SCHEDULES, Schedule("recluster", "sun", "22:00"))
    replicas = [make_engine(db_url) for _ in range(3)]
    try:
        runs = [Scheduler(desk, SqlJobClaims(e), schedules, owner=f"r{i}") for i, e in enumerate(replicas)]
        sent = await asyncio.gather(*(s.run("recluster") for s in runs))
    finally:
        for e in replicas:
            await e.dispose()
    assert sorted(sent) == [0, 0, 1]
    [notice] = notifier.sent
    assert notice.kind == "causes" and notice.to == "leaders" and notice.key
    causes = await desk.causes.list()
    assert len(causes) == notice.data["new"] >= 2  # the clusters became causes, saved
    pointed = [t for t in await desk.tickets.list() if t.cause_key in {c.key for c in causes}]
    assert len(pointed) == notice.data["moved"] > 0
    assert notice.text.startswith(f"Weekly re-clustering: {notice.data['new']} new cause(s)")
    assert any(f"- new: {c.title} [{c.key}]" in notice.text for c in causes)
