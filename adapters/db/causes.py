"""SqlCauseRepository: root causes keyed by their stable key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, select, update

from adapters.db._sql import SqlRepository, affected, check_version, plain, upsert
from adapters.db.tables import CauseRow, table_of
from core.causes import Cause, FixStatus

CAUSES = table_of(CauseRow)


def cause_values(cause: Cause) -> dict[str, Any]:
    """The causes-table row of a cause."""
    return {
        "key": cause.key,
        "title": cause.title,
        "owner": cause.owner,
        "created_at": cause.created_at,
        "root_cause_at": cause.root_cause_at,
        "root_cause": cause.root_cause,
        "fix_url": cause.fix_url,
        "fix_status": plain(cause.fix_status),
        "fix_shipped_at": cause.fix_shipped_at,
        "key_phrases": list(cause.key_phrases),
        "named_by_person": cause.named_by_person,
    }


def to_cause(row: RowMapping) -> Cause:
    """A core Cause from a causes-table row."""
    values = dict(row)
    values.update(fix_status=FixStatus(row["fix_status"]), key_phrases=tuple(row["key_phrases"]))
    return Cause(**values)


class SqlCauseRepository(SqlRepository):
    """Causes; `save` is an upsert by key."""

    async def get(self, key: str) -> Cause | None:
        """Fetch a cause by its key."""
        async with self._reading() as session:
            row = (await session.execute(select(CAUSES).where(CAUSES.c.key == key))).mappings().first()
        return to_cause(row) if row else None

    async def save(self, cause: Cause) -> None:
        """Insert or overwrite a cause built elsewhere (version 0); update one read here if unchanged."""
        async with self._writing() as session:
            if cause.version == 0:
                await upsert(session, CAUSES, {**cause_values(cause), "version": 1}, ["key"])
            else:
                stmt = (
                    update(CAUSES)
                    .where(CAUSES.c.key == cause.key, CAUSES.c.version == cause.version)
                    .values(**cause_values(cause), version=cause.version + 1)
                )
                check_version(await affected(session, stmt), f"cause {cause.key}")
        if cause.version:  # one built elsewhere stays unversioned: saving it again overwrites again
            cause.version += 1

    async def list(self) -> list[Cause]:
        """Every cause, by key."""
        async with self._reading() as session:
            rows = (await session.execute(select(CAUSES).order_by(CAUSES.c.key))).mappings().all()
        return [to_cause(row) for row in rows]
