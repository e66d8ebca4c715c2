"""Teams conversation references (as the JSON the Bot Framework serializes) and card claims, in SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db._sql import Sessions, SqlRepository, upsert
from adapters.db.action_claims import SqlActionClaims
from adapters.db.tables import TeamsConversationRow, table_of

REFERENCES = table_of(TeamsConversationRow)
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


class SqlCardClaims(SqlActionClaims):
    """One claim per card and action, so replicas agree on who acted first (see SqlActionClaims)."""

    def __init__(self, sessions: Sessions | AsyncEngine) -> None:
        super().__init__(sessions, CLAIMS)
