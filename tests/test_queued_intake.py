"""Queued intake: `serve` only stores and acknowledges; `fixloop worker` processes handle the inbox."""

from __future__ import annotations

import asyncio

from bot.wiring import build_runtime
from tests.slack_fake import harness
from tests.test_faults import FAST, deliver, dm, first_replies_settle, ticket_count


async def test_serve_acknowledges_and_a_worker_handles_each_event_once(engine, db_url) -> None:
    async with harness(db_url, **FAST, fixloop_intake="queued") as h:
        workers = []
        try:
            for i in range(6):
                await deliver(h, dm(i), f"EvQ{i}")
            await deliver(h, dm(0), "EvQ0")  # Slack's redelivery of a stored event
            await asyncio.sleep(0.5)
            assert await ticket_count(h) == 0 and h.fake.delivered() == []  # serve itself handled nothing
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
