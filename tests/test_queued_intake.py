"""Queued intake: `serve` only stores and acknowledges; `fixloop worker` processes handle the inbox."""

from __future__ import annotations

from sqlalchemy import select

from adapters.db.tables import InboxRow, table_of
from bot.wiring import build_runtime
from tests.fault_support import FAST, deliver, dm, first_replies_settle, ticket_count
from tests.slack_fake import harness


async def test_serve_acknowledges_and_a_worker_handles_each_event_once(engine, db_url) -> None:
    async with harness(db_url, **FAST, fixloop_intake="queued") as h:
        workers = []
        try:
            for i in range(6):
                await deliver(h, dm(i), f"EvQ{i}")
            await deliver(h, dm(0), "EvQ0")  # Slack's redelivery of a stored event
            # serve runs no handler at all (no worker thread, no sweeper), and nobody took an event yet
            assert h.runtime.worker is None or h.runtime.worker.runtime is None
            assert await attempts(h) == [0] * 6
            assert await ticket_count(h) == 0 and h.fake.delivered() == []
            for _ in range(2):  # two workers on one inbox: each event is taken by one of them
                worker = await build_runtime(h.runtime.settings)
                worker.start_background(work=True)
                workers.append(worker)
            replies = await first_replies_settle(h, 6)
            assert await ticket_count(h) == 6 and set(replies.values()) == {1}
            assert (await h.runtime.repos.inbox.counts()) == {"done": 6}
        finally:
            for worker in workers:
                await worker.close()


async def attempts(h) -> list[int]:  # type: ignore[no-untyped-def]
    """How many times each stored event was taken by a handler."""
    inbox = table_of(InboxRow)
    async with h.runtime.engine.connect() as conn:
        return list((await conn.execute(select(inbox.c.attempts).order_by(inbox.c.id))).scalars())
