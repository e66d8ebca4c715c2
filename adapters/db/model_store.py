"""SqlModelStore: versions of each learnt model in the database, so every process serves the same one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db._sql import SqlRepository
from adapters.db.tables import ModelSnapshotRow, table_of

SNAPSHOTS = table_of(ModelSnapshotRow)
KEEP = 3  # versions kept per kind: the newest serves, older ones only help a look back


class CorruptSnapshot(ValueError):
    """A stored blob whose checksum does not match: the process refits instead of loading it."""


@dataclass(frozen=True)
class Snapshot:
    """One stored version of one model."""

    kind: str
    version: int
    fitted_at: datetime
    examples: int
    watermark: datetime | None
    blob: bytes
    meta: dict[str, Any] = field(default_factory=dict)


def digest(blob: bytes) -> str:
    """The checksum stored beside a blob."""
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Head:
    """A stored version's description, without its blob."""

    version: int
    fitted_at: datetime
    examples: int
    watermark: datetime | None
    digest: str
    meta: dict[str, Any]


class SqlModelStore(SqlRepository):
    """Save a new version of a model; read the newest version, or just every kind's newest number."""

    async def save(self, kind: str, blob: bytes, *, fitted_at: datetime, examples: int,
                   watermark: datetime | None, meta: dict[str, Any]) -> int | None:
        """Store the blob as the kind's next version; None when another process stored that version first."""
        try:
            async with self._sessions.begin() as session:
                latest = (await session.execute(select(func.max(SNAPSHOTS.c.version))
                                                .where(SNAPSHOTS.c.kind == kind))).scalar()
                version = int(latest or 0) + 1
                await session.execute(insert(SNAPSHOTS).values(
                    kind=kind, version=version, fitted_at=fitted_at, examples=examples, watermark=watermark,
                    meta=meta, digest=digest(blob), blob=blob))
                await session.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.kind == kind,
                                                              SNAPSHOTS.c.version <= version - KEEP))
        except IntegrityError:  # the unique (kind, version): a concurrent save won
            return None
        return version

    async def latest(self, kind: str) -> Snapshot | None:
        """The newest version of a kind with its blob (checked against its digest), or None."""
        head = await self.head(kind)
        if head is None:
            return None
        return Snapshot(kind=kind, version=head.version, fitted_at=head.fitted_at, examples=head.examples,
                        watermark=head.watermark, blob=await self.blob(kind, head.version, head.digest),
                        meta=head.meta)

    async def head(self, kind: str) -> Head | None:
        """The newest version of a kind without its blob: enough to tell whether this process holds it."""
        stmt = (select(*(c for c in SNAPSHOTS.c if c.name != "blob")).where(SNAPSHOTS.c.kind == kind)
                .order_by(SNAPSHOTS.c.version.desc()).limit(1))
        async with self._reading() as session:
            row = (await session.execute(stmt)).mappings().first()
        if row is None:
            return None
        return Head(version=row["version"], fitted_at=row["fitted_at"], examples=row["examples"],
                    watermark=row["watermark"], digest=row["digest"], meta=dict(row["meta"] or {}))

    async def blob(self, kind: str, version: int, expected: str) -> bytes:
        """One version's blob, checked against the digest its head gave."""
        stmt = select(SNAPSHOTS.c.blob).where(SNAPSHOTS.c.kind == kind, SNAPSHOTS.c.version == version)
        async with self._sessions() as session:
            connection = await session.connection()
            if connection.dialect.name != "postgresql":
                blob = bytes((await session.execute(stmt)).scalar_one())
            else:
                blob = await _binary_blob(connection, kind, version)
        if digest(blob) != expected:
            raise CorruptSnapshot(f"{kind} v{version}: checksum mismatch")
        return blob

    async def versions(self) -> dict[str, int]:
        """Each kind's newest version number: the cheap poll that tells a process to reload."""
        stmt = select(SNAPSHOTS.c.kind, func.max(SNAPSHOTS.c.version)).group_by(SNAPSHOTS.c.kind)
        async with self._reading() as session:
            return {str(kind): int(version) for kind, version in (await session.execute(stmt)).all()}


async def _binary_blob(connection: AsyncConnection, kind: str, version: int) -> bytes:
    """One blob from PostgreSQL in binary format, on a connection then closed.

    In psycopg's default text format a bytea arrives hex-encoded, twice its size, and libpq keeps its
    receive buffer as large as the largest row it ever read for the connection's life: for the 140 MB
    cause index at a million tickets, 280 MB of buffer stayed in the pool after the load, plus the CPU to
    decode the hex. Binary format moves the bytes as they are; closing the connection frees the buffer.
    """
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    try:
        async with driver.cursor(binary=True) as cursor:
            await cursor.execute(f"SELECT blob FROM {SNAPSHOTS.name} WHERE kind = %s AND version = %s",
                                 (kind, version))
            row = await cursor.fetchone()
    finally:
        await connection.invalidate()  # the pool opens a fresh connection, with a small buffer, next time
    if row is None:
        raise CorruptSnapshot(f"{kind} v{version}: gone")
    return bytes(row[0])
