"""Waiting until Fixloop has nothing left to do, instead of sleeping a fixed time before a negative check.

Once every stored event is handled (no inbox row left "new") and every queued post delivered or given
up (no outbox row "pending"), nothing more can be posted or stored: a duplicate that was going to
happen has happened. A check that something did NOT happen is made after that, not after a sleep.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.tables import InboxRow, OutboxRow, table_of

INBOX, OUTBOX = table_of(InboxRow), table_of(OutboxRow)


async def unfinished(engine: AsyncEngine) -> int:
    """Inbound events not yet handled plus outbound posts not yet delivered (or given up)."""
    async with engine.connect() as conn:
        events = (await conn.execute(select(func.count()).where(INBOX.c.state == "new"))).scalar_one()
        posts = (await conn.execute(select(func.count()).where(OUTBOX.c.state == "pending"))).scalar_one()
    return int(events) + int(posts)


async def quiet(engine: AsyncEngine, within: float = 60.0) -> None:
    """Wait until every stored event is handled and every queued post is delivered or given up."""
    deadline = time.monotonic() + within
    while await unfinished(engine):
        assert time.monotonic() < deadline, "Fixloop still had work in hand"
        await asyncio.sleep(0.05)
