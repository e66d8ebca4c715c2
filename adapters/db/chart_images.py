"""SqlChartImages: each digest's trend chart as PNG bytes under an unguessable token, recent ones only."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from adapters.db._sql import SqlRepository
from adapters.db.tables import ChartImageRow, table_of

CHARTS = table_of(ChartImageRow)
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
KEEP_FOR = timedelta(days=180)  # a digest card in the Teams history keeps its image for half a year
KEEP_AT_MOST = 200  # and a run of manual `fixloop digest --post` cannot fill the table


def new_token() -> str:
    """32 URL-safe characters from 192 random bits: the only secret guarding a chart's public URL."""
    return secrets.token_urlsafe(24)


class SqlChartImages(SqlRepository):
    """Charts by token; adding one prunes those older than KEEP_FOR or beyond the newest KEEP_AT_MOST."""

    async def put(self, png: bytes, *, now: datetime | None = None) -> str:
        """Store a PNG and return its token."""
        if not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("not a PNG image")
        now = now or datetime.now(UTC)
        token = new_token()
        newest = select(CHARTS.c.id).order_by(CHARTS.c.created_at.desc(), CHARTS.c.id.desc())
        async with self._sessions.begin() as session:
            await session.execute(insert(CHARTS).values(token=token, png=png, created_at=now))
            kept = list((await session.execute(newest.limit(KEEP_AT_MOST))).scalars())
            old = (CHARTS.c.created_at < now - KEEP_FOR) | CHARTS.c.id.not_in(kept)
            await session.execute(delete(CHARTS).where(old))
        return token

    async def get(self, token: str) -> bytes | None:
        """The PNG stored under a token, or None (an unknown or malformed token)."""
        if not TOKEN.fullmatch(token):
            return None
        async with self._sessions() as session:
            found = (await session.execute(select(CHARTS.c.png).where(CHARTS.c.token == token))).first()
        return bytes(found[0]) if found else None
