"""The inbox and outbox tables: one handling per event, one delivery per key, leases, backoff, on both DBs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from adapters.db.engine import make_engine
from adapters.db.inbox import MAX_ATTEMPTS, Accepted, SqlInbox
from adapters.db.repositories import SqlRepositories
from adapters.outbox.codec import decode, encode
from adapters.outbox.dispatcher import Dispatcher, Permanent, RetryAfter, backoff
from adapters.outbox.notifier import OutboxNotifier
from core.ports import Notice

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_an_event_is_handled_once_even_after_a_restart(repos: SqlRepositories, db_url: str) -> None:
    accepted, row = await repos.inbox.accept("slack", "Ev1", "{}")
    assert accepted is Accepted.NEW
    assert (await repos.inbox.accept("slack", "Ev1", "{}"))[0] is Accepted.BUSY  # still being handled
    await repos.inbox.done(row)
    assert (await repos.inbox.accept("slack", "Ev1", "{}"))[0] is Accepted.DONE
    assert (await repos.inbox.accept("teams", "Ev1", "{}"))[0] is Accepted.NEW  # ids are per platform
    restarted = make_engine(db_url)  # a new process would have a new engine and pool
    try:
        assert (await SqlInbox(restarted).accept("slack", "Ev1", "{}"))[0] is Accepted.DONE
        assert (await SqlInbox(restarted).accept("slack", "Ev2", "{}"))[0] is Accepted.NEW
    finally:
        await restarted.dispose()


async def test_a_redelivery_after_the_lease_expired_is_handled_again(repos: SqlRepositories) -> None:
    _, row = await repos.inbox.accept("slack", "Ev1", '{"a": 1}', now=T0)
    assert (await repos.inbox.accept("slack", "Ev1", "{}", now=T0 + timedelta(seconds=30)))[0] is Accepted.BUSY
    again = await repos.inbox.accept("slack", "Ev1", "{}", now=T0 + timedelta(seconds=61))
    assert again == (Accepted.RETRY, row)


async def test_the_sweeper_takes_only_stale_undone_events_and_each_once(repos: SqlRepositories) -> None:
    _, stale = await repos.inbox.accept("slack", "Ev1", '{"n": 1}', now=T0)
    _, finished = await repos.inbox.accept("slack", "Ev2", "{}", now=T0)
    await repos.inbox.done(finished)
    await repos.inbox.accept("slack", "Ev3", "{}", now=T0 + timedelta(seconds=50))
    later = T0 + timedelta(seconds=70)
    due = await repos.inbox.due(now=later)
    assert [(e.id, e.payload, e.attempts) for e in due] == [(stale, '{"n": 1}', 2)]
    assert await repos.inbox.due(now=later) == []  # the first sweep holds the lease now


async def test_failures_back_off_and_give_up_after_the_last_attempt(repos: SqlRepositories) -> None:
    _, row = await repos.inbox.accept("slack", "Ev1", "{}", now=T0)
    now = T0
    for attempt in range(1, MAX_ATTEMPTS):
        assert await repos.inbox.failed(row, "database went away", now=now) is True
        assert await repos.inbox.due(now=now + timedelta(seconds=2**attempt - 1)) == []  # still backing off
        now += timedelta(seconds=2**attempt + 1)
        assert [e.id for e in await repos.inbox.due(now=now)] == [row]
    assert await repos.inbox.failed(row, "still failing", now=now) is False
    assert await repos.inbox.counts() == {"dead": 1}


async def test_pruning_forgets_old_done_events_only(repos: SqlRepositories) -> None:
    _, old = await repos.inbox.accept("slack", "Ev1", "{}", now=T0)
    await repos.inbox.done(old)
    await repos.inbox.accept("slack", "Ev2", "{}", now=T0)  # never finished: kept
    assert await repos.inbox.prune(timedelta(days=3), now=T0 + timedelta(days=4)) == 1
    assert await repos.inbox.counts() == {"new": 1}


async def test_a_key_is_queued_once_and_claimed_by_one_dispatcher(repos: SqlRepositories) -> None:
    assert await repos.outbox.put("post:first_reply:FX-1", "slack", "post", {"channel": "C1"}) is True
    assert await repos.outbox.put("post:first_reply:FX-1", "slack", "post", {"channel": "C2"}) is False
    first, second = await asyncio.gather(repos.outbox.claim(), repos.outbox.claim())
    claimed = first + second
    assert [(i.key, i.payload, i.attempts) for i in claimed] == [("post:first_reply:FX-1", {"channel": "C1"}, 0)]


async def test_a_notice_survives_the_table_with_its_bytes() -> None:
    notice = Notice("digest", "leaders", "text", data={"chart_png": b"\x89PNG", "n": [1, {"x": b"\x00"}]}, key="k")
    assert decode(encode(notice)) == notice


class Flaky:
    """A deliverer that fails a given number of times, then records deliveries."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures, self.delivered = failures, []

    async def __call__(self, item) -> None:  # type: ignore[no-untyped-def]
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(item.key)


async def test_the_dispatcher_retries_with_backoff_and_delivers_once(repos: SqlRepositories) -> None:
    slack = Flaky([ConnectionError("Slack is down"), RetryAfter(0.05)])
    outcomes: list[tuple[str, str]] = []
    dispatcher = Dispatcher(repos.outbox, {"slack": slack}, on_result=lambda d, o: outcomes.append((d, o)))
    await repos.outbox.put("k1", "slack", "post", {})
    assert await dispatcher.run_once() == 1
    row = await repos.outbox.get("k1")
    assert row is not None and row["state"] == "pending" and "Slack is down" in row["last_error"]
    assert row["due_at"] > datetime.now(UTC)  # backing off: not due at once
    assert await dispatcher.run_once() == 0
    await dispatcher.drain(within=5)
    assert slack.delivered == ["k1"]
    assert outcomes == [("slack", "retry"), ("slack", "retry"), ("slack", "sent")]
    assert (await repos.outbox.depth()) == {"sent": 1}


async def test_a_permanent_failure_is_given_up_at_once_and_kept(repos: SqlRepositories) -> None:
    dispatcher = Dispatcher(repos.outbox, {"slack": Flaky([Permanent("channel_not_found")])})
    await repos.outbox.put("k1", "slack", "post", {})
    await repos.outbox.put("k2", "teams", "notice", {})  # no Teams deliverer configured any more
    await dispatcher.drain(within=2)
    assert (await repos.outbox.depth()) == {"dead": 2}
    row = await repos.outbox.get("k1")
    assert row is not None and "channel_not_found" in row["last_error"]


@pytest.mark.parametrize("attempts", [0, 3, 9, 20])
def test_backoff_doubles_with_jitter_and_is_capped(attempts: int) -> None:
    delay = backoff(attempts).total_seconds()
    ceiling = min(600.0, 2.0**attempts)
    assert ceiling / 2 <= delay <= ceiling


async def test_of_several_redraws_of_one_post_only_the_newest_is_delivered(repos: SqlRepositories) -> None:
    slack, teams = Flaky([]), Flaky([])
    outcomes: list[tuple[str, str]] = []
    dispatcher = Dispatcher(
        repos.outbox, {"slack": slack, "teams": teams}, on_result=lambda d, o: outcomes.append((d, o))
    )
    notifier = OutboxNotifier(repos.outbox, ["slack", "teams"], wake=lambda: None)

    def post(incident: str, reports: int) -> Notice:  # as core.incident_flow.post draws an incident's post
        data = {"incident_id": incident, "redraw": f"incident:{incident}:triage"}
        return Notice("incident", "triage", f"{reports} reports", data=data, key=f"post:{incident}:{reports}")

    for notice in [post("INC-A", 1), post("INC-A", 2), Notice("triage", "triage", "a new ticket", key="t1"),
                   post("INC-B", 1), post("INC-A", 3)]:  # fmt: skip
        await notifier.stage(notice)
    assert await dispatcher.run_once() == 10
    newest = ["notice:t1|{}", "notice:post:INC-B:1|{}", "notice:post:INC-A:3|{}"]
    for name, deliverer in (("slack", slack), ("teams", teams)):
        assert sorted(deliverer.delivered) == sorted(key.format(name) for key in newest)
    assert await repos.outbox.depth() == {"sent": 6, "superseded": 4}
    assert sorted(o for d, o in outcomes if d == "slack") == ["sent"] * 3 + ["superseded"] * 2
    assert await dispatcher.run_once() == 0  # a superseded redraw is never claimed again
