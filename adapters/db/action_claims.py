"""SqlActionClaims: a button, form or card acts once, however often it is clicked, submitted or replayed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db._sql import Sessions, SqlRepository
from adapters.db.tables import InboxRow, table_of

EVENTS = table_of(InboxRow)
# The namespace of claims every chat shares: a gap drafted from a Slack click is held for a Teams click too.
ANY_CHAT = "any-chat"


class SqlActionClaims(SqlRepository):
    """One claim per (thing clicked, action), held as a done inbox row under its own platform name.

    The inbox's unique (platform, event id) makes the first insert win on every replica; a done row is never
    picked up by the sweeper. Teams cards use the namespace "teams-card", Slack actions "slack-action".
    """

    def __init__(self, sessions: Sessions | AsyncEngine, namespace: str) -> None:
        super().__init__(sessions)
        self.namespace = namespace

    def across_platforms(self) -> SqlActionClaims:
        """The same claims in the namespace every platform shares (adapters/held.py)."""
        return SqlActionClaims(self._sessions, ANY_CHAT)

    async def claim(self, target: str, action: str) -> bool:
        """True for the first claim of a target's action, False once it has been used."""
        now = datetime.now(UTC)
        values = {
            "platform": self.namespace,
            "event_id": f"{target}|{action}",
            "payload": "",
            "state": "done",
            "received_at": now,
            "done_at": now,
        }
        try:
            async with self._sessions.begin() as session:
                await session.execute(insert(EVENTS).values(values))
        except IntegrityError:
            return False
        return True

    async def release(self, target: str, action: str) -> None:
        """Give a claim back when the action failed, so the button or form can be used again."""
        where = (EVENTS.c.platform == self.namespace) & (EVENTS.c.event_id == f"{target}|{action}")
        async with self._sessions.begin() as session:
            await session.execute(delete(EVENTS).where(where))
