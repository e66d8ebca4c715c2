"""Helpers shared by the SQL repositories: sessions, portable upserts, JSON timestamps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.db.engine import make_sessionmaker
from core.errors import Conflict, DuplicateTicket

Sessions = async_sessionmaker[AsyncSession]


class DuplicateKey(DuplicateTicket):
    """A row with the same unique key (ticket id, thread key) already exists."""


async def affected(session: AsyncSession, stmt: Any) -> int:
    """Run an INSERT, UPDATE or DELETE; how many rows it touched."""
    return cast(CursorResult[Any], await session.execute(stmt)).rowcount


def check_version(rowcount: int, what: str) -> None:
    """A versioned update touched no row: someone else changed it since it was read."""
    if rowcount != 1:
        raise Conflict(f"{what} changed since it was read")


class SqlRepository:
    """Base of the repositories: each call in its own short transaction, or in a unit of work's session."""

    def __init__(self, sessions: Sessions | AsyncEngine, *, session: AsyncSession | None = None) -> None:
        self._sessions = sessions if isinstance(sessions, async_sessionmaker) else make_sessionmaker(sessions)
        self._session = session

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncSession]:
        """A session to read with."""
        if self._session is not None:
            yield self._session
            return
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A session to write with: committed on leaving, unless a unit of work commits it later."""
        if self._session is not None:
            yield self._session
            return
        async with self._sessions.begin() as session:
            yield session


async def upsert(session: AsyncSession, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert a row, or update every other column of the row with the same key, atomically."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = insert(table).values(dict(values))
    changes: dict[str, Any] = {name: stmt.excluded[name] for name in values if name not in keys}
    if "version" in changes:  # an overwrite is a change too: whoever read the old row must re-read
        changes["version"] = table.c.version + 1
    await session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes))


def plain(value: Any) -> Any:
    """An enum as its stored value; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value


def to_iso(value: datetime) -> str:
    """A timestamp inside a JSON column: ISO 8601 in UTC; naive input is refused like in columns."""
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: Fixloop stores timezone-aware UTC only")
    return value.astimezone(UTC).isoformat()


def from_iso(value: str) -> datetime:
    """Read back a timestamp written by to_iso."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.utcoffset() is None else parsed.astimezone(UTC)
