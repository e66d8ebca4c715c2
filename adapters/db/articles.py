"""SqlArticleRepository: knowledge articles keyed by id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, select, update

from adapters.db._sql import SqlRepository, upsert
from adapters.db.tables import ArticleRow, table_of
from core.kb import Article

ARTICLES = table_of(ArticleRow)


def article_values(article: Article) -> dict[str, Any]:
    """The articles-table row of an article."""
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "surface": article.surface,
        "tags": list(article.tags),
        "owner": article.owner,
        "url": article.url,
        "solved_count": article.solved_count,
    }


def to_article(row: RowMapping) -> Article:
    """A core Article from an articles-table row."""
    return Article(**{**row, "tags": tuple(row["tags"])})


class SqlArticleRepository(SqlRepository):
    """Articles; `save` is an upsert by id."""

    async def get(self, article_id: str) -> Article | None:
        """Fetch an article by its id."""
        async with self._reading() as session:
            stmt = select(ARTICLES).where(ARTICLES.c.id == article_id)
            row = (await session.execute(stmt)).mappings().first()
        return to_article(row) if row else None

    async def save(self, article: Article) -> None:
        """Insert or update an article."""
        async with self._writing() as session:
            await upsert(session, ARTICLES, article_values(article), ["id"])

    async def count_solved(self, article_id: str) -> None:
        """Add one to an article's solved count in the database (no lost update between processes)."""
        plus_one = ARTICLES.c.solved_count + 1
        stmt = update(ARTICLES).where(ARTICLES.c.id == article_id).values(solved_count=plus_one)
        async with self._writing() as session:
            await session.execute(stmt)

    async def list(self) -> list[Article]:
        """Every article, by id."""
        async with self._reading() as session:
            rows = (await session.execute(select(ARTICLES).order_by(ARTICLES.c.id))).mappings().all()
        return [to_article(row) for row in rows]
