"""Queued intake: `serve` only stores and acknowledges; `fixloop worker` processes handle the inbox."""

from __future__ import annotations

import asyncio

from bot.wiring import build_runtime
from tests.slack_fake import FakeSlack
from tests.test_faults import deliver, dm, first_replies_settle, start, ticket_count


async def test_serve_acknowledges_and_a_worker_handles_each_event_once(engine, db_url) -> None:
    fake = FakeSlack()
    await fake.server.start_server()
    h = await start(db_url, fake, fixloop_intake="queued")
    workers = []
    try:
        for i in range(6):
            await deliver(h, dm(i), f"EvQ{i}")
        await deliver(h, dm(0), "EvQ0")  # Slack's redelivery of a stored event
        await asyncio.sleep(0.5)
        assert await ticket_count(h) == 0 and fake.delivered() == []  # serve itself handled nothing
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
        await h.client.close()
        await fake.server.close()
