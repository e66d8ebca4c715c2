"""The scheduled fix tracking (tracker poll and fix watch) runs once per slot however many replicas run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.claims import SqlJobClaims
from adapters.db.engine import make_engine
from bot.scheduler import Scheduler
from core.causes import Cause, FixStatus
from core.trackers import Trackers
from tests.fakes import FakeClock, fake_desk
from tests.tracker_recording import RecordingTracker

NOW = datetime(2026, 12, 2, 10, 7, tzinfo=UTC)


async def test_four_replicas_poll_the_trackers_once_per_slot(db_url: str, engine: AsyncEngine):
    desk = await fake_desk()
    desk.clock = FakeClock(NOW)
    tracker = RecordingTracker()
    desk.trackers = Trackers(clients={"github": tracker})
    for i in range(3):
        await desk.causes.save(Cause(key=f"k{i}", title="t", fix_status=FixStatus.LINKED, fix_tracker="github",
                                     fix_issue=f"acme/a#{i + 1}", fix_url=f"https://github.com/acme/a/issues/{i + 1}"))
    replicas = [make_engine(db_url) for _ in range(4)]
    try:
        runs = [Scheduler(desk, SqlJobClaims(e), (), owner=f"r{i}") for i, e in enumerate(replicas)]
        changed = await asyncio.gather(*(s.run("fix_tracking") for s in runs))
        assert sorted(changed) == [0, 0, 0, 3] and len(tracker.asked) == 1
        again = await runs[0].run("fix_tracking")  # the same 15-minute slot: nothing more
        desk.clock = FakeClock(NOW + timedelta(minutes=15))
        later = await runs[1].run("fix_tracking")  # the next slot polls again, and finds nothing new
    finally:
        for e in replicas:
            await e.dispose()
    assert again == 0 and later == 0 and len(tracker.asked) == 2
    assert await SqlJobClaims(engine).posted_at("fix_tracking", datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
