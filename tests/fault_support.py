"""Slack DMs, delivered as Slack redelivers them, and counts of what came of them (fault and intake tests)."""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
from sqlalchemy import func, select

from adapters.db.tables import TicketRow, table_of
from tests.settling import quiet
from tests.slack_fake import EMPLOYEE, Harness

TICKETS = table_of(TicketRow)


def dm(i: int) -> dict:
    """A DM that opens its own ticket: a thread of its own, from a person of its own (one person's
    near-identical requests would join their open ticket)."""
    return {
        "type": "message",
        "channel": "D0EMP",
        "channel_type": "im",
        "user": f"{EMPLOYEE}{i:03d}",
        "text": f"VPN disconnects every few minutes on laptop {i}",
        "ts": f"17000000{i:02d}.000100",
    }


FAST = {"fixloop_lease_seconds": 2.0, "fixloop_sweep_seconds": 0.3}  # recovery shows within a test


async def deliver(h: Harness, event: dict, event_id: str, *, tries: int = 60) -> int:
    """Send an event until it is acknowledged with a 2xx, as Slack redelivers; how many tries it took."""
    for attempt in range(1, tries + 1):
        try:
            response = await h.event(event, event_id=event_id, retry=attempt - 1 or None)
            if 200 <= response.status < 300:
                return attempt
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"{event_id} was never acknowledged")


async def ticket_count(h: Harness) -> int:
    """Tickets in the database."""
    async with h.runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(TICKETS))).scalar_one())


async def first_replies_settle(h: Harness, n: int, within: float = 60) -> dict[str, int]:
    """Wait until each of the n tickets' threads has its first reply; then, per thread, how often its most
    repeated post was made (1: nothing doubled; an outage notice may follow the answer as a post of its own).
    """
    roots = {dm(i)["ts"] for i in range(n)}

    async def counts() -> dict[str, int]:
        made = Counter(
            (p["thread_ts"], p.get("text")) for p in h.fake.delivered()
            if p.get("channel") == "D0EMP" and p.get("thread_ts") in roots
        )
        return {ts: max((times for (root, _), times in made.items() if root == ts), default=0) for ts in roots}

    await h.eventually(lambda: _all(counts()), within=within)
    await quiet(h.runtime.engine, within=within)  # every retry done: a duplicate would have been posted
    return await counts()


async def _all(counts: object) -> bool:
    return all(v >= 1 for v in (await counts).values())  # type: ignore[attr-defined]
