"""SqlDraftRepository: article drafts made from knowledge gaps, keyed by id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, select, update

from adapters.db._sql import SqlRepository, upsert
from adapters.db.tables import ArticleDraftRow, table_of
from core.drafts import Draft, DraftStatus

DRAFTS = table_of(ArticleDraftRow)
CONTENT = ("title", "problem", "symptoms", "steps", "surface", "owner", "cause", "ticket_ids")


def _values(draft: Draft) -> dict[str, Any]:
    return {"id": draft.id, "gap_key": draft.gap_key, "status": str(draft.status),
            "data": {k: getattr(draft, k) for k in CONTENT}, "created_at": draft.created_at,
            "decided_at": draft.decided_at, "decided_by": draft.decided_by, "article_id": draft.article_id}


def _draft(row: RowMapping) -> Draft:
    return Draft(id=row["id"], gap_key=row["gap_key"], status=DraftStatus(row["status"]),
                 created_at=row["created_at"], decided_at=row["decided_at"], decided_by=row["decided_by"],
                 article_id=row["article_id"], **{k: row["data"].get(k) for k in CONTENT})


class SqlDraftRepository(SqlRepository):
    """Drafts, alone or in a unit of work; `decide` changes a draft's status only while it is still a draft
    (one click wins)."""

    async def get(self, draft_id: str) -> Draft | None:
        """A draft by id."""
        async with self._reading() as session:
            row = (await session.execute(select(DRAFTS).where(DRAFTS.c.id == draft_id))).mappings().first()
        return _draft(row) if row else None

    async def save(self, draft: Draft) -> None:
        """Insert or replace a draft (an edit keeps its id)."""
        async with self._writing() as session:
            await upsert(session, DRAFTS, _values(draft), ["id"])

    async def decide(self, draft: Draft) -> bool:
        """Store a decided draft if it was still undecided; False when someone decided first."""
        async with self._writing() as session:
            result = await session.execute(
                update(DRAFTS).where(DRAFTS.c.id == draft.id, DRAFTS.c.status == str(DraftStatus.DRAFT))
                .values(**{k: v for k, v in _values(draft).items() if k != "id"}))
        return bool(getattr(result, "rowcount", 0))

    async def list(self, *, status: DraftStatus | None = None) -> list[Draft]:
        """Drafts, oldest first, optionally of one status."""
        stmt = select(DRAFTS).order_by(DRAFTS.c.created_at, DRAFTS.c.id)
        if status is not None:
            stmt = stmt.where(DRAFTS.c.status == str(status))
        async with self._reading() as session:
            rows = (await session.execute(stmt)).mappings().all()
        return [_draft(r) for r in rows]
