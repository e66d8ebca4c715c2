"""An action that must not run twice at once: claimed while it runs, given back when it is done.

Two owners clicking *Draft article* on the same gap at the same moment would each find no open draft and
each make one. The first click claims (gap, action) in the action-claims table (adapters/db/action_claims.py),
the other is told the draft is on its way; once the draft is stored the claim is given back, and a later
click finds that open draft instead of making another. A gap whose draft was discarded can be drafted anew.
The claim lives in the namespace every platform shares, so a Slack click and a Teams click on the same gap
also make one draft (each platform's own button claims are kept apart: a card id means nothing in Slack).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol


class Claims(Protocol):
    async def claim(self, target: str, action: str) -> bool: ...
    async def release(self, target: str, action: str) -> None: ...
    def across_platforms(self) -> Claims: ...


@asynccontextmanager
async def held(claims: Claims | None, target: str, action: str) -> AsyncIterator[bool]:
    """Yield True to whoever now holds (target, action), False while someone else does; give it back after."""
    if claims is None:  # no database (unit rigs): nothing to claim against
        yield True
        return
    claims = claims.across_platforms()
    if not await claims.claim(target, action):
        yield False
        return
    try:
        yield True
    finally:
        await claims.release(target, action)
