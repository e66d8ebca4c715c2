"""Running a transaction again when another process changed what it read (Conflict)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from core.errors import Conflict

T = TypeVar("T")
CONFLICT_TRIES = 12  # ten processes adding to one ticket at once all land well within this


async def retry_conflicts(attempt: Callable[[], Awaitable[T]], tries: int = CONFLICT_TRIES) -> T:
    """Run an attempt; on Conflict run it again (a fresh read), after a short random pause, up to `tries`."""
    for n in range(tries - 1):
        try:
            return await attempt()
        except Conflict:
            await asyncio.sleep(random.uniform(0, 0.002 * 2 ** min(n, 6)))  # jitter: racers spread out
    return await attempt()
