"""Conversation references (for proactive messages) as botbuilder objects, stored through adapters/db."""

from __future__ import annotations

from botbuilder.schema import ConversationReference

from adapters.db.conversations import SqlCardClaims, SqlConversationReferences

__all__ = ["ConversationReferenceStore", "SqlCardClaims"]


class ConversationReferenceStore:
    """Conversation references by key: "conversation:<id>", "user:<id>", "channel:<id>"."""

    def __init__(self, rows: SqlConversationReferences) -> None:
        self.rows = rows

    async def save(self, key: str, reference: ConversationReference) -> None:
        """Insert or replace the reference stored under a key."""
        await self.rows.save(key, reference.serialize())

    async def get(self, key: str) -> ConversationReference | None:
        """The reference stored under a key, if any."""
        found = await self.rows.get(key)
        return ConversationReference().deserialize(found) if found else None

    async def latest(self) -> ConversationReference | None:
        """The most recently stored reference: its serviceUrl and tenant serve new conversations."""
        found = await self.rows.latest()
        return ConversationReference().deserialize(found) if found else None
