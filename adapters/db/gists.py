"""SqlGistReads: the incident and duplicate checks' reads of tickets (core/gists.py): a few columns each.

No messages are read, and each read is bounded: the window's open tickets are a range of
ix_tickets_created_at, a person's of ix_tickets_requester_created_at, the rest primary-key look-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, select, true

from adapters.db._sql import SqlRepository
from adapters.db.tables import MessageRow, TicketRow, table_of
from core.gists import Gist
from core.tickets import Status

TICKETS, MESSAGES = table_of(TicketRow), table_of(MessageRow)
_C = TICKETS.c
_GIST = (_C.id, _C.requester, _C.created_at, _C.subject, _C.text, _C.cause_key, _C.platform)
_NEWEST = (_C.created_at.desc(), _C.id.desc())
_OPEN = _C.status != Status.RESOLVED.value


def _gist(row: RowMapping) -> Gist:
    return Gist(**row)


class SqlGistReads(SqlRepository):
    """Bounded reads of ticket gists, in a unit of work's session or each in its own."""

    async def open_since(self, since: datetime | None, *, limit: int) -> list[Gist]:
        """Open tickets created at or after `since` (None: any), newest first."""
        stmt = select(*_GIST).where(_OPEN).order_by(*_NEWEST).limit(limit)
        return await self._gists(stmt if since is None else stmt.where(_C.created_at >= since))

    async def open_among(self, ids: Sequence[str]) -> list[Gist]:
        """The open tickets among these ids."""
        return await self._among(ids, _OPEN)

    async def among(self, ids: Sequence[str]) -> list[Gist]:
        """The tickets of these ids, open or not, in the order of the ids (one query, not one per id)."""
        found = {g.id: g for g in await self._among(ids, true())}
        return [found[i] for i in ids if i in found]

    async def _among(self, ids: Sequence[str], condition: Any) -> list[Gist]:
        found: list[Gist] = []
        for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
            chunk = list(ids[start : start + 900])
            found += await self._gists(select(*_GIST).where(condition, _C.id.in_(chunk)))
        return found

    async def open_of(self, requester: str, *, limit: int) -> list[Gist]:
        """A person's open tickets, newest first."""
        stmt = select(*_GIST).where(_C.requester == requester, _OPEN).order_by(*_NEWEST).limit(limit)
        return await self._gists(stmt)

    async def holding(self, message_ref: str, ids: Sequence[str]) -> str | None:
        """Which of these tickets holds a message with this platform id (ix_messages_ref), if one does."""
        stmt = select(MESSAGES.c.ticket_id).where(
            MESSAGES.c.ref == message_ref, MESSAGES.c.ticket_id.in_(list(ids))
        )
        async with self._reading() as session:
            return (await session.execute(stmt.limit(1))).scalar()

    async def newest_texts(self, limit: int) -> list[str]:
        """The words (subject and text) of the newest tickets, open or not, newest first."""
        stmt = select(_C.subject, _C.text).order_by(*_NEWEST).limit(limit)
        async with self._reading() as session:
            rows = (await session.execute(stmt)).all()
        return [f"{subject} {text}" for subject, text in rows]

    async def _gists(self, stmt: Select[Any]) -> list[Gist]:
        async with self._reading() as session:
            return [_gist(row) for row in (await session.execute(stmt)).mappings()]
