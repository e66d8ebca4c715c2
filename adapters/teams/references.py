"""Stored conversation references (proactive messages) and card claims (a button acts once)."""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.schema import ConversationReference
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db._sql import Sessions, SqlRepository, upsert
from adapters.db.action_claims import SqlActionClaims
from adapters.db.tables import TeamsConversationRow, table_of

REFERENCES = table_of(TeamsConversationRow)
CLAIMS = "teams-card"  # the platform name card claims use in the inbox table (as done rows)


class SqlConversationReferenceStore(SqlRepository):
    """Conversation references by key: "conversation:<id>", "user:<id>", "channel:<id>"."""

    async def save(self, key: str, reference: ConversationReference) -> None:
        """Insert or replace the reference stored under a key."""
        values = {"key": key, "reference": reference.serialize(), "updated_at": datetime.now(UTC)}
        async with self._sessions.begin() as session:
            await upsert(session, REFERENCES, values, ["key"])

    async def get(self, key: str) -> ConversationReference | None:
        """The reference stored under a key, if any."""
        async with self._sessions() as session:
            query = select(REFERENCES.c.reference).where(REFERENCES.c.key == key)
            row = (await session.execute(query)).first()
        return ConversationReference().deserialize(row[0]) if row else None

    async def latest(self) -> ConversationReference | None:
        """The most recently stored reference: its serviceUrl and tenant serve new conversations."""
        query = select(REFERENCES.c.reference).order_by(REFERENCES.c.updated_at.desc()).limit(1)
        async with self._sessions() as session:
            row = (await session.execute(query)).first()
        return ConversationReference().deserialize(row[0]) if row else None


class SqlCardClaims(SqlActionClaims):
    """One claim per card and action, so replicas agree on who acted first (see SqlActionClaims)."""

    def __init__(self, sessions: Sessions | AsyncEngine) -> None:
        super().__init__(sessions, CLAIMS)
