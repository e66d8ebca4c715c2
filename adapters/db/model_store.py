"""SqlModelStore: versions of each learnt model in the database, so every process serves the same one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

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
        stmt = select(SNAPSHOTS).where(SNAPSHOTS.c.kind == kind).order_by(SNAPSHOTS.c.version.desc()).limit(1)
        async with self._reading() as session:
            row = (await session.execute(stmt)).mappings().first()
        if row is None:
            return None
        blob = bytes(row["blob"])
        if digest(blob) != row["digest"]:
            raise CorruptSnapshot(f"{kind} v{row['version']}: checksum mismatch")
        return Snapshot(kind=kind, version=row["version"], fitted_at=row["fitted_at"],
                        examples=row["examples"], watermark=row["watermark"], blob=blob,
                        meta=dict(row["meta"] or {}))

    async def versions(self) -> dict[str, int]:
        """Each kind's newest version number: the cheap poll that tells a process to reload."""
        stmt = select(SNAPSHOTS.c.kind, func.max(SNAPSHOTS.c.version)).group_by(SNAPSHOTS.c.kind)
        async with self._reading() as session:
            return {str(kind): int(version) for kind, version in (await session.execute(stmt)).all()}
