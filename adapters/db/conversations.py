"""Teams conversation references (as the JSON the Bot Framework serializes) and card claims, in SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from adapters.db._sql import SqlRepository, upsert
from adapters.db.tables import InboxRow, TeamsConversationRow, table_of

REFERENCES = table_of(TeamsConversationRow)
EVENTS = table_of(InboxRow)
CLAIMS = "teams-card"  # the platform name card claims use in the inbox table (as done rows)


class SqlConversationReferences(SqlRepository):
    """Serialized conversation references by key: "conversation:<id>", "user:<id>", "channel:<id>"."""

    async def save(self, key: str, reference: dict[str, Any]) -> None:
        """Insert or replace the reference stored under a key."""
        values = {"key": key, "reference": reference, "updated_at": datetime.now(UTC)}
        async with self._sessions.begin() as session:
            await upsert(session, REFERENCES, values, ["key"])

    async def get(self, key: str) -> dict[str, Any] | None:
        """The reference stored under a key, if any."""
        async with self._sessions() as session:
            query = select(REFERENCES.c.reference).where(REFERENCES.c.key == key)
            row = (await session.execute(query)).first()
        return dict(row[0]) if row else None

    async def latest(self) -> dict[str, Any] | None:
        """The most recently stored reference."""
        query = select(REFERENCES.c.reference).order_by(REFERENCES.c.updated_at.desc()).limit(1)
        async with self._sessions() as session:
            row = (await session.execute(query)).first()
        return dict(row[0]) if row else None


class SqlCardClaims(SqlRepository):
    """One claim per card and action, held as a done inbox row, so replicas agree on who acted first."""

    async def claim(self, card_id: str, action: str) -> bool:
        """True for the first claim of a card's action, False once it has been used."""
        now = datetime.now(UTC)
        values = {
            "platform": CLAIMS,
            "event_id": f"{card_id}|{action}",
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

    async def release(self, card_id: str, action: str) -> None:
        """Give a claim back when the action failed, so the button can be used again."""
        where = (EVENTS.c.platform == CLAIMS) & (EVENTS.c.event_id == f"{card_id}|{action}")
        async with self._sessions.begin() as session:
            await session.execute(delete(EVENTS).where(where))
